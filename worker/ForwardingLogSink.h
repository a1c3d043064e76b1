#pragma once
#include "worker/Connection.h"

#include "core/protocol/Messages.h"

#include <spdlog/sinks/base_sink.h>

#include <mutex>

namespace acquila::worker {

/**
 * spdlog sink of a worker process: every log line travels to the app as a
 * `log` message, where it appears with the worker's id. Any thread; the
 * connection serializes sends.
 */
class ForwardingLogSink : public spdlog::sinks::base_sink<std::mutex> {
public:
    explicit ForwardingLogSink(Connection& connection) : conn_(connection) {}

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        const QString text = QString::fromUtf8(msg.payload.data(), static_cast<qsizetype>(msg.payload.size()));
        conn_.send(protocol::toMessage(protocol::LogLine{static_cast<int>(msg.level), text}));
    }
    void flush_() override {}

private:
    Connection& conn_;
};

}  // namespace acquila::worker
