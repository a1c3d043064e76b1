#include "core/protocol/BlackBox.h"

#include <QFile>
#include <new>
#include <sys/mman.h>

namespace acquila::protocol {

const char* blackBoxOpName(BlackBoxOp op) {
    switch (op) {
        case BlackBoxOp::Idle: return "idle";
        case BlackBoxOp::Move: return "move";
        case BlackBoxOp::Read: return "read";
        case BlackBoxOp::Settle: return "settle";
        case BlackBoxOp::Open: return "open";
        case BlackBoxOp::Close: return "close";
        case BlackBoxOp::Property: return "set property";
        case BlackBoxOp::Monitor: return "monitor read";
    }
    return "unknown";
}

BlackBox* mapBlackBox(const QString& path, bool create) {
    if (path.isEmpty()) return nullptr;
    QFile f(path);
    if (!f.open(QIODevice::ReadWrite) || (create && !f.resize(kBlackBoxBytes))) return nullptr;
    void* p = mmap(nullptr, kBlackBoxBytes, PROT_READ | PROT_WRITE, MAP_SHARED, f.handle(), 0);
    if (p == MAP_FAILED) return nullptr;
    return create ? new (p) BlackBox() : static_cast<BlackBox*>(p);
}

}  // namespace acquila::protocol
