// One frame body (CBOR), decoded eagerly and lazily, then through every message decoder.
#include "fuzz/FuzzSupport.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace acquila;
    const QByteArray body = fuzz::bytes(data, size);
    for (bool lazy : {false, true}) {
        protocol::Message m;
        QString error;
        if (protocol::decodeMessageBody(body, &m, &error, lazy)) fuzz::decodeEverything(m);
    }
    return 0;
}
