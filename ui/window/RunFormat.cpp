#include "ui/window/RunFormat.h"

#include <cmath>

namespace acquila::ui::window {

using model::RunState;

ControlEnables controlEnables(model::RunState state, bool ready) {
    ControlEnables e;
    if (!ready) return e;
    e.start = state == model::RunState::Idle || state == model::RunState::Finished;
    e.pause = state == model::RunState::Running;
    e.resume = state == model::RunState::Paused;
    e.stop = state == model::RunState::Starting || state == model::RunState::Running || state == model::RunState::Paused;
    e.abort = e.stop || state == model::RunState::Stopping;
    return e;
}

QString formatDuration(double s) {
    if (!std::isfinite(s) || s < 0) return QStringLiteral("—");
    const qint64 t = static_cast<qint64>(std::llround(s));
    if (t < 60) return QStringLiteral("%1 s").arg(t);
    if (t < 3600) return QStringLiteral("%1 min %2 s").arg(t / 60).arg(t % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1 h %2 min").arg(t / 3600).arg((t % 3600) / 60, 2, 10, QLatin1Char('0'));
}

double remainingSeconds(qint64 done, qint64 total, double elapsedS) {
    if (done <= 0 || total <= 0 || done >= total || elapsedS <= 0) return -1;
    return elapsedS / static_cast<double>(done) * static_cast<double>(total - done);
}

QString progressText(const engine::RunProgress& p) {
    QString t = QStringLiteral("%1 / %2 points · elapsed %3").arg(p.done).arg(p.total).arg(formatDuration(p.elapsedS));
    if (p.state != model::RunState::Finished) t += QStringLiteral(" · remaining %1").arg(formatDuration(remainingSeconds(p.done, p.total, p.elapsedS)));
    return t;
}

QString runStatusText(const engine::RunProgress& p) {
    const QString name = p.planName.isEmpty() ? QStringLiteral("run") : p.planName;
    switch (p.state) {
        case model::RunState::Idle: return QStringLiteral("Idle");
        case model::RunState::Starting: return QStringLiteral("Starting %1…").arg(name);
        case model::RunState::Running: return QStringLiteral("Running %1").arg(name);
        case model::RunState::Paused: return QStringLiteral("Paused %1").arg(name);
        case model::RunState::Stopping: return QStringLiteral("Stopping %1…").arg(name);
        case model::RunState::Aborting: return QStringLiteral("Aborting %1…").arg(name);
        case model::RunState::Finished: break;
    }
    QString status = QString::fromLatin1(model::runStatusName(p.status));
    if (!status.isEmpty()) status[0] = status[0].toUpper();
    QString t = QStringLiteral("%1: %2").arg(name, status);
    if (!p.reason.isEmpty()) t += QStringLiteral(" — ") + p.reason;
    return t;
}

QString formatBytes(double bytes) {
    if (!std::isfinite(bytes) || bytes < 0) return QStringLiteral("?");
    const char* units[] = {"B", "kB", "MB", "GB", "TB"};
    int u = 0;
    while (bytes >= 1000 && u < 4) {
        bytes /= 1000;
        ++u;
    }
    return QStringLiteral("%1 %2").arg(bytes, 0, 'f', u == 0 ? 0 : 1).arg(QLatin1String(units[u]));
}

}  // namespace acquila::ui::window
