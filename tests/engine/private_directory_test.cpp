#include "core/engine/PrivateDirectory.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

using namespace acquila::engine;

namespace {
// No process has this id: pids never exceed 2^22 on Linux.
const QString kDeadSession = QStringLiteral("acquila-999999999-");

void writeFile(const QString& path, const QByteArray& content = "x") {
    QFile f(path);
    ASSERT_TRUE(f.open(QIODevice::WriteOnly)) << path.toStdString();
    f.write(content);
}

void makeSocketFile(const QString& path) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const QByteArray p = QFile::encodeName(path);
    ASSERT_LT(static_cast<size_t>(p.size()), sizeof addr.sun_path);
    std::memcpy(addr.sun_path, p.constData(), static_cast<size_t>(p.size()));
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0) << path.toStdString();
    ::close(fd);  // the socket file stays, as after a killed session
}

/** A directory as a killed session leaves it: 0700, the socket and two black boxes. */
QString makeSession(const QString& parent, const QString& suffix) {
    const QString dir = parent + QLatin1Char('/') + kDeadSession + suffix;
    EXPECT_EQ(::mkdir(QFile::encodeName(dir).constData(), 0700), 0);
    makeSocketFile(dir + QStringLiteral("/workers.sock"));
    writeFile(dir + QStringLiteral("/worker-0.box"));
    writeFile(dir + QStringLiteral("/worker-1.box"));
    return dir;
}

/** A decoy tree the user owns: a file and a sub-directory with a file. */
QString makeDecoy(const QString& parent) {
    const QString decoy = parent + QStringLiteral("/decoy");
    EXPECT_TRUE(QDir().mkpath(decoy + QStringLiteral("/sub")));
    writeFile(decoy + QStringLiteral("/a"));
    writeFile(decoy + QStringLiteral("/sub/b"));
    writeFile(decoy + QStringLiteral("/workers.sock"));
    writeFile(decoy + QStringLiteral("/worker-0.box"));
    return decoy;
}

void expectDecoyIntact(const QString& decoy) {
    for (const char* f : {"a", "sub/b", "workers.sock", "worker-0.box"})
        EXPECT_TRUE(QFileInfo::exists(decoy + QLatin1Char('/') + QLatin1String(f))) << f << " was removed";
}

bool exists(const QString& path) {
    struct stat st {};
    return ::lstat(QFile::encodeName(path).constData(), &st) == 0;
}
}  // namespace

TEST(PrivateDirectory, RemovesWhatADeadSessionLeft) {
    QTemporaryDir parent;
    const QString dir = makeSession(parent.path(), QStringLiteral("aaaaaa"));
    EXPECT_EQ(removeStaleSessionDirectories(parent.path()), 1);
    EXPECT_FALSE(exists(dir));
}

TEST(PrivateDirectory, NeverFollowsALinkNamedLikeASession) {
    QTemporaryDir parent;
    const QString decoy = makeDecoy(parent.path());
    const QString link = parent.path() + QLatin1Char('/') + kDeadSession + QStringLiteral("x");
    ASSERT_TRUE(QFile::link(decoy, link));
    EXPECT_EQ(removeStaleSessionDirectories(parent.path()), 0);
    expectDecoyIntact(decoy);
    EXPECT_TRUE(exists(link));
}

TEST(PrivateDirectory, LeavesEntriesASessionDoesNotCreate) {
    QTemporaryDir parent;
    const QString dir = makeSession(parent.path(), QStringLiteral("bbbbbb"));
    writeFile(dir + QStringLiteral("/notes.txt"), "keep me");
    EXPECT_EQ(removeStaleSessionDirectories(parent.path()), 0);
    EXPECT_TRUE(QFileInfo::exists(dir + QStringLiteral("/notes.txt")));
    EXPECT_FALSE(exists(dir + QStringLiteral("/workers.sock")));
    EXPECT_FALSE(exists(dir + QStringLiteral("/worker-0.box")));
}

TEST(PrivateDirectory, NeverFollowsALinkInsideASessionDirectory) {
    QTemporaryDir parent;
    const QString decoy = makeDecoy(parent.path());
    const QString dir = makeSession(parent.path(), QStringLiteral("cccccc"));
    ASSERT_TRUE(QFile::remove(dir + QStringLiteral("/worker-1.box")));
    ASSERT_TRUE(QFile::link(decoy + QStringLiteral("/worker-0.box"), dir + QStringLiteral("/worker-1.box")));
    ASSERT_TRUE(QFile::link(decoy, dir + QStringLiteral("/sub")));
    EXPECT_EQ(removeStaleSessionDirectories(parent.path()), 0);
    expectDecoyIntact(decoy);
    EXPECT_TRUE(exists(dir + QStringLiteral("/worker-1.box")));
    EXPECT_TRUE(exists(dir + QStringLiteral("/sub")));
}

TEST(PrivateDirectory, LeavesDirectoriesThatAreNotPrivateOrWhoseProcessLives) {
    QTemporaryDir parent;
    const QString open = makeSession(parent.path(), QStringLiteral("dddddd"));
    ASSERT_EQ(::chmod(QFile::encodeName(open).constData(), 0755), 0);
    const QString live = parent.path() + QStringLiteral("/acquila-%1-eeeeee").arg(getpid());
    ASSERT_EQ(::mkdir(QFile::encodeName(live).constData(), 0700), 0);
    writeFile(live + QStringLiteral("/worker-0.box"));
    EXPECT_EQ(removeStaleSessionDirectories(parent.path()), 0);
    EXPECT_TRUE(exists(open + QStringLiteral("/workers.sock")));
    EXPECT_TRUE(exists(live + QStringLiteral("/worker-0.box")));
}

TEST(PrivateDirectory, CreatedInThePrivateRuntimeDirectoryWhenThereIsOne) {
    QTemporaryDir runtime;  // created 0700
    const QByteArray saved = qgetenv("XDG_RUNTIME_DIR");
    qputenv("XDG_RUNTIME_DIR", QFile::encodeName(runtime.path()));
    const QString dir = makePrivateDirectory();
    EXPECT_EQ(QFileInfo(dir).absolutePath(), runtime.path());
    struct stat st {};
    ASSERT_EQ(::lstat(QFile::encodeName(dir).constData(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0700u);
    EXPECT_TRUE(removeSessionDirectory(dir));
    EXPECT_FALSE(exists(dir));

    // A runtime directory others can enter is not used.
    ASSERT_EQ(::chmod(QFile::encodeName(runtime.path()).constData(), 0755), 0);
    EXPECT_EQ(privateDirectoryParent(), QDir::tempPath());
    qputenv("XDG_RUNTIME_DIR", saved);
    if (saved.isNull()) qunsetenv("XDG_RUNTIME_DIR");
}
