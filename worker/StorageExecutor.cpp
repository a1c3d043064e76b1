#include "worker/StorageExecutor.h"

#include "worker/Connection.h"

#include <QCborArray>

namespace acquila::worker {

using core::Message;
using core::MessageType;

StorageExecutor::StorageExecutor(Connection& connection) : conn_(connection) {}
StorageExecutor::~StorageExecutor() = default;

bool StorageExecutor::handle(const Message& m) {
    switch (m.type) {
        case MessageType::Configure: {
            QCborMap p;
            p.insert(QLatin1String("devices"), QCborArray());
            conn_.send(Message{MessageType::Describe, m.id, p});
            return true;
        }
        case MessageType::Shutdown: return false;
        default: return true;
    }
}

void StorageExecutor::onShutdown(bool) {}

}  // namespace acquila::worker
