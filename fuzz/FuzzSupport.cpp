#include "fuzz/FuzzSupport.h"

#include "core/protocol/Messages.h"
#include "core/protocol/ResultFrame.h"
#include "core/storage/RunLayout.h"

#include <QDir>
#include <QFile>
#include <cstdlib>
#include <unistd.h>

namespace acquila::fuzz {

using namespace acquila::protocol;

namespace {

template <typename... T>
void decodeAs(const Message& m) {
    (static_cast<void>(T::decode(m)), ...);
}

QString g_tempFile;

void removeTempFile() {
    if (!g_tempFile.isEmpty()) QFile::remove(g_tempFile);
}

}  // namespace

void decodeEverything(const Message& m) {
    decodeAs<Hello, Configure, Describe, OpenRun, CloseRun, OpenReply, CloseReply, JobRequest, Cancel, ErrorReport,
             LogLine, MoveAxis, MoveReply, SetProperty, SetReply, Monitor, Heartbeat, Shutdown, StoreStatus>(m);
    if (auto store = decodeStoreCommand(m)) {
        if (const auto* open = std::get_if<StoreOpen>(&*store)) static_cast<void>(storage::RunLayout::fromCbor(open->layout));
    }
    if (!m.body.isEmpty()) {
        ResultMeta meta;
        static_cast<void>(parseResultBody(m.body, &meta));
    }
}

QString writeTempFile(const uint8_t* data, size_t size, const char* suffix) {
    if (g_tempFile.isEmpty()) {
        g_tempFile = QDir::tempPath() + QStringLiteral("/fuzz-%1%2").arg(getpid()).arg(QLatin1String(suffix));
        std::atexit(removeTempFile);
    }
    QFile f(g_tempFile);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) std::abort();
    f.write(reinterpret_cast<const char*>(data), static_cast<qint64>(size));
    return g_tempFile;
}

}  // namespace acquila::fuzz
