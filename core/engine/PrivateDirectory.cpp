#include "core/engine/PrivateDirectory.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QStringList>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace acquila::engine {

namespace {
/** Closes a descriptor when it goes out of scope. */
struct Fd {
    explicit Fd(int d) : fd(d) {}
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    operator int() const { return fd; }
    bool valid() const { return fd >= 0; }
    int fd;
};

bool ownedByUs(const struct stat& st) { return st.st_uid == geteuid(); }

/** What mkdtemp made for a session: a real directory of ours, mode 0700. */
bool isSessionDirectory(const struct stat& st) {
    return S_ISDIR(st.st_mode) && ownedByUs(st) && (st.st_mode & 07777) == 0700;
}

/** A session creates exactly these: the socket and one black box per worker. */
bool isSessionEntry(const QString& name, const struct stat& st) {
    static const QRegularExpression box(QStringLiteral("^worker-[0-9]{1,6}\\.box$"));
    if (!ownedByUs(st)) return false;
    if (name == QLatin1String("workers.sock")) return S_ISSOCK(st.st_mode);
    return S_ISREG(st.st_mode) && box.match(name).hasMatch();
}

/** Names in an open directory, "." and ".." excepted; `dirFd` stays open. */
QStringList entriesOf(int dirFd) {
    QStringList names;
    const int copy = ::dup(dirFd);
    if (copy < 0) return names;
    DIR* d = ::fdopendir(copy);
    if (!d) {
        ::close(copy);
        return names;
    }
    while (const dirent* e = ::readdir(d)) {
        const QString name = QFile::decodeName(e->d_name);
        if (name != QLatin1String(".") && name != QLatin1String("..")) names << name;
    }
    ::closedir(d);
    return names;
}

/** Unlinks the session entries of the directory; returns the entries it left. */
QStringList removeSessionEntries(int dirFd) {
    QStringList left;
    for (const QString& name : entriesOf(dirFd)) {
        const QByteArray n = QFile::encodeName(name);
        struct stat st {};
        // unlinkat never follows a link; lstat semantics keep a link from passing for a socket or a box.
        if (::fstatat(dirFd, n.constData(), &st, AT_SYMLINK_NOFOLLOW) != 0 || !isSessionEntry(name, st) ||
            ::unlinkat(dirFd, n.constData(), 0) != 0)
            left << name;
    }
    return left;
}

void leave(const QString& path, const QString& why) {
    spdlog::warn("left {} in place: {}", path.toStdString(), why.toStdString());
}

/** The pid in `acquila-<pid>-...`, or 0. */
pid_t sessionPid(const QString& name) {
    static const QRegularExpression re(QStringLiteral("^acquila-([0-9]{1,10})-"));
    const auto m = re.match(name);
    const qint64 pid = m.hasMatch() ? m.captured(1).toLongLong() : 0;
    return pid > 0 && pid <= INT32_MAX ? static_cast<pid_t>(pid) : 0;
}
}  // namespace

QString privateDirectoryParent() {
    const QByteArray xdg = qgetenv("XDG_RUNTIME_DIR");
    struct stat st {};
    if (xdg.startsWith('/') && ::lstat(xdg.constData(), &st) == 0 && S_ISDIR(st.st_mode) && ownedByUs(st) && (st.st_mode & 077) == 0)
        return QFile::decodeName(xdg);
    return QDir::tempPath();
}

bool removeSessionDirectory(const QString& path) {
    const QFileInfo info(path);
    const QByteArray parent = QFile::encodeName(info.absolutePath());
    const QByteArray name = QFile::encodeName(info.fileName());
    const Fd parentFd(::open(parent.constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    struct stat st {};
    if (!parentFd.valid() || ::fstatat(parentFd, name.constData(), &st, AT_SYMLINK_NOFOLLOW) != 0) return errno == ENOENT;
    if (!isSessionDirectory(st)) {
        leave(path, S_ISLNK(st.st_mode) ? QStringLiteral("a symbolic link, not a directory Acquila created")
                                        : QStringLiteral("not a 0700 directory of this user"));
        return false;
    }
    const Fd dirFd(::openat(parentFd, name.constData(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    struct stat opened {};
    if (!dirFd.valid() || ::fstat(dirFd, &opened) != 0 || opened.st_dev != st.st_dev || opened.st_ino != st.st_ino) {
        leave(path, QStringLiteral("it changed while it was being opened"));
        return false;
    }
    const QStringList left = removeSessionEntries(dirFd);
    if (!left.isEmpty()) {
        leave(path, QStringLiteral("it holds %1, which Acquila does not create").arg(left.mid(0, 5).join(QLatin1String(", ")).left(300)));
        return false;
    }
    if (::unlinkat(parentFd, name.constData(), AT_REMOVEDIR) != 0) {
        leave(path, QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    return true;
}

int removeStaleSessionDirectories(const QString& parent) {
    const Fd parentFd(::open(QFile::encodeName(parent).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!parentFd.valid()) return 0;
    int removed = 0;
    for (const QString& name : entriesOf(parentFd)) {
        const pid_t pid = sessionPid(name);
        if (pid <= 0 || ::kill(pid, 0) == 0 || errno != ESRCH) continue;  // not a session's, or its process lives
        if (removeSessionDirectory(parent + QLatin1Char('/') + name)) ++removed;
    }
    return removed;
}

QString makePrivateDirectory() {
    const QString parent = privateDirectoryParent();
    removeStaleSessionDirectories(parent);
    QByteArray templ = QFile::encodeName(parent) + "/acquila-" + QByteArray::number(getpid()) + "-XXXXXX";
    if (!::mkdtemp(templ.data())) return {};  // mkdtemp creates the directory with mode 0700
    return QFile::decodeName(templ);
}

}  // namespace acquila::engine
