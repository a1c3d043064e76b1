#pragma once
#include <QString>
#include <chrono>
#include <sys/types.h>

namespace acquila::util {

/**
 * Waits up to `timeout` for the child `pid` to end and reaps it into `*status`; false when
 * it is still running at the deadline. Sleeps on a pidfd where the kernel has them, else
 * looks every 5 ms. A child already reaped elsewhere (ECHILD) counts as ended.
 */
bool reapChild(pid_t pid, std::chrono::milliseconds timeout, int* status);

/** "was killed by signal 11 (Segmentation fault)" or "exited with code 2", from a wait status. */
QString describeExit(int status);

}  // namespace acquila::util
