#pragma once
#include <QString>
#include <sys/types.h>
#include <vector>

namespace acquila::cli {

/** One process of a tree, as /proc shows it at one moment. */
struct ProcessSample {
    pid_t pid = 0;
    pid_t parent = 0;
    QString name;       // /proc/<pid>/comm
    qint64 rssKiB = 0;  // resident set (VmRSS)
    int fds = 0;        // open file descriptors
};

/** `root` and all its descendants (children, grandchildren, ...), read from /proc; root first. */
std::vector<ProcessSample> sampleProcessTree(pid_t root);

}  // namespace acquila::cli
