#pragma once
#include "worker/Executor.h"

namespace acquila::worker {

class Connection;

/**
 * The storage role: owns the HDF5 file of the running scan (DESIGN §1, §6).
 * Every HDF5 call happens on the executor thread.
 */
class StorageExecutor : public Executor {
public:
    explicit StorageExecutor(Connection& connection);
    ~StorageExecutor() override;
    bool handle(const core::Message& m) override;
    void onShutdown(bool connectionLost) override;

private:
    Connection& conn_;
};

}  // namespace acquila::worker
