#pragma once
#include "core/model/RunTypes.h"
#include "core/protocol/Frame.h"

namespace acquila::worker {

/**
 * What a worker role does with the commands the manager sends. handle() runs
 * on the executor thread, in message order; the on*() hooks run on the
 * reader thread and must only flip flags (they interrupt handle()).
 */
class Executor {
public:
    virtual ~Executor() = default;
    /** Handles one command; returns false when the worker should exit. Executor thread. */
    virtual bool handle(const protocol::Message& m) = 0;
    /** How long to wait for a command before onIdle() runs (ms), asked before every wait; negative = wait for a command. */
    virtual int idleIntervalMs() const { return -1; }
    /** Periodic work between commands (storage flushes, status). Executor thread. */
    virtual void onIdle() {}
    /** A job was queued (reader thread), so a later cancel knows what it covers. */
    virtual void onJobQueued(quint64 jobId) {}
    /** Cancel every job received so far: Stop at the next point boundary, Abort now. Reader thread. */
    virtual void onCancel(model::CancelLevel level) {}
    /** How long the reader thread waits for input between calls to onTick() (ms). */
    virtual int tickIntervalMs() const { return 100; }
    /** Runs on the reader thread after every wait for input: must not wait on the executor's work. */
    virtual void onTick() {}
    /** The manager is gone or asked to shut down: interrupt whatever runs. Reader thread. */
    virtual void onShutdown(bool connectionLost) { onCancel(model::CancelLevel::Abort); }
};

}  // namespace acquila::worker
