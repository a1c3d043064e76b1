#include "core/protocol/BlackBox.h"

namespace acquila::core {

const char* blackBoxOpName(BlackBoxOp op) {
    switch (op) {
        case BlackBoxOp::Idle: return "idle";
        case BlackBoxOp::Move: return "move";
        case BlackBoxOp::Read: return "read";
        case BlackBoxOp::Settle: return "settle";
        case BlackBoxOp::Open: return "open";
        case BlackBoxOp::Close: return "close";
        case BlackBoxOp::Property: return "set property";
    }
    return "unknown";
}

}  // namespace acquila::core
