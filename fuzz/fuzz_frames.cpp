// Bytes from a socket: FrameDecoder fed in pieces, every decoded message through every decoder.
// The first byte picks the piece size and whether result bodies are kept raw (as the manager does).
#include "fuzz/FuzzSupport.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace acquila;
    if (size < 1) return 0;
    const bool lazy = data[0] & 1;
    const size_t piece = 1 + (data[0] >> 1);
    protocol::FrameDecoder decoder(1u << 20);
    decoder.setLazyResults(lazy);
    for (size_t at = 1; at < size && !decoder.failed(); at += piece) {
        decoder.feed(reinterpret_cast<const char*>(data + at), static_cast<qsizetype>(std::min(piece, size - at)));
        while (decoder.hasMessage()) fuzz::decodeEverything(decoder.take());
    }
    return 0;
}
