#include "cli/ProcessTree.h"

#include <QDir>
#include <QFile>

namespace acquila::cli {

namespace {

QByteArray readProcFile(pid_t pid, const char* name) {
    QFile f(QStringLiteral("/proc/%1/%2").arg(pid).arg(QLatin1String(name)));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

/** Parent pid from /proc/<pid>/stat: the field after the state, which follows the last ')'. */
pid_t parentOf(pid_t pid) {
    const QByteArray stat = readProcFile(pid, "stat");
    const int close = stat.lastIndexOf(')');
    if (close < 0) return 0;
    const QList<QByteArray> fields = stat.mid(close + 2).split(' ');
    return fields.size() > 1 ? static_cast<pid_t>(fields[1].toLong()) : 0;
}

qint64 rssKiBOf(pid_t pid) {
    for (const QByteArray& line : readProcFile(pid, "status").split('\n')) {
        if (line.startsWith("VmRSS:")) return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return 0;
}

ProcessSample sampleOne(pid_t pid, pid_t parent) {
    ProcessSample s;
    s.pid = pid;
    s.parent = parent;
    s.name = QString::fromUtf8(readProcFile(pid, "comm").trimmed());
    s.rssKiB = rssKiBOf(pid);
    s.fds = static_cast<int>(QDir(QStringLiteral("/proc/%1/fd").arg(pid)).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::System).size());
    return s;
}

}  // namespace

std::vector<ProcessSample> sampleProcessTree(pid_t root) {
    std::vector<std::pair<pid_t, pid_t>> all;  // (pid, parent) of every process
    for (const QString& entry : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        bool isPid = false;
        const pid_t pid = static_cast<pid_t>(entry.toLong(&isPid));
        if (isPid) all.emplace_back(pid, parentOf(pid));
    }
    std::vector<ProcessSample> tree{sampleOne(root, parentOf(root))};
    for (size_t i = 0; i < tree.size(); ++i) {
        for (const auto& [pid, parent] : all) {
            if (parent == tree[i].pid) tree.push_back(sampleOne(pid, parent));
        }
    }
    return tree;
}

}  // namespace acquila::cli
