#include "cli/RunCommand.h"

#include "cli/ChannelStats.h"
#include "cli/CliCommon.h"
#include "cli/SignalPipe.h"
#include "core/engine/Engine.h"
#include "core/plan/Plan.h"
#include "core/plan/PlanEstimate.h"
#include "core/plan/PointGenerator.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QThread>
#include <QTimer>
#include <cstdio>
#include <unistd.h>

namespace acquila::cli {

namespace {

void addCommonOptions(QCommandLineParser& p) {
    p.addHelpOption();
    p.addOption({QStringLiteral("lab"), QStringLiteral("Lab configuration (JSON); default: the built-in simulated lab."), QStringLiteral("CONFIG")});
    p.addOption({QStringLiteral("workers"), QStringLiteral("Number of device worker processes (default: logical cores)."), QStringLiteral("N")});
}

QString formatDuration(double s) {
    if (!(s >= 0) || s > 359999) return QStringLiteral("--:--");
    const int t = static_cast<int>(s + 0.5);
    return t >= 3600 ? QStringLiteral("%1:%2:%3").arg(t / 3600).arg(t / 60 % 60, 2, 10, QLatin1Char('0')).arg(t % 60, 2, 10, QLatin1Char('0'))
                     : QStringLiteral("%1:%2").arg(t / 60, 2, 10, QLatin1Char('0')).arg(t % 60, 2, 10, QLatin1Char('0'));
}

int parseWorkers(const QCommandLineParser& p, bool* ok) {
    *ok = true;
    if (!p.isSet(QStringLiteral("workers"))) return 0;
    const int n = p.value(QStringLiteral("workers")).toInt(ok);
    *ok = *ok && n >= 1 && n <= 256;
    return n;
}

}  // namespace

int runCommand(const QStringList& args) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Runs a plan headless on the simulated or configured lab.\n"
        "Ctrl-C once stops the run (points kept), twice aborts it.\n"
        "Exit codes: 0 completed, 1 failed, 2 bad input, 3 stopped or aborted."));
    addCommonOptions(p);
    p.addOption({QStringLiteral("out"), QStringLiteral("Directory for the run's HDF5 file; overrides the plan's output.directory (default: the plan's, else the per-user data directory)."), QStringLiteral("DIR")});
    p.addOption({QStringLiteral("disk-reserve"), QStringLiteral("Stop the run (\"disk almost full\") when free space on the file's disk falls below MiB plus a few seconds of data (default: the larger of 1024 and 1 % of the disk)."), QStringLiteral("MiB")});
    p.addOption({QStringLiteral("no-file"), QStringLiteral("Do not write an HDF5 file.")});
    p.addOption({QStringLiteral("force"), QStringLiteral("Start even when the estimated file exceeds the free disk space (keeps what fits).")});
    p.addPositionalArgument(QStringLiteral("plan"), QStringLiteral("Plan file (JSON)."));
    if (!p.parse(args)) {
        std::fprintf(stderr, "acquila run: %s\n", qPrintable(p.errorText()));
        return kBadInput;
    }
    if (p.isSet(QStringLiteral("help"))) {
        std::printf("%s", qPrintable(p.helpText()));
        return kCompleted;
    }
    if (p.positionalArguments().size() != 1) {
        std::fprintf(stderr, "acquila run: expected exactly one plan file (see --help)\n");
        return kBadInput;
    }
    bool ok = false;
    const int workers = parseWorkers(p, &ok);
    if (!ok) {
        std::fprintf(stderr, "acquila run: --workers expects a number between 1 and 256\n");
        return kBadInput;
    }
    auto plan = plan::loadPlanFile(p.positionalArguments().first());
    if (!plan) {
        std::fprintf(stderr, "%s\n", qPrintable(plan.error()));
        return kBadInput;
    }
    auto config = engineConfig(p.value(QStringLiteral("lab")), workers);
    if (!config) {
        std::fprintf(stderr, "%s\n", qPrintable(config.error()));
        return kBadInput;
    }
    config->storage = !p.isSet(QStringLiteral("no-file"));
    if (p.isSet(QStringLiteral("force"))) plan->outputAllowPartial = true;
    // The command line wins over the plan: --out replaces the plan's output.directory.
    if (p.isSet(QStringLiteral("out"))) plan->outputDirectory = p.value(QStringLiteral("out"));
    config->dataDirectory = !plan->outputDirectory.isEmpty() ? plan->outputDirectory : defaultDataDirectory();
    if (p.isSet(QStringLiteral("disk-reserve"))) {
        const double mib = p.value(QStringLiteral("disk-reserve")).toDouble(&ok);
        if (!ok || !(mib >= 0) || mib > 1e9) {
            std::fprintf(stderr, "acquila run: --disk-reserve expects a number of MiB between 0 and 1e9\n");
            return kBadInput;
        }
        config->diskReserveBytes = static_cast<qint64>(mib * 1024 * 1024);
    }

    engine::Engine engine(*config);
    SignalPipe sigPipe;
    ChannelStats stats(plan->detectors);
    const bool tty = isatty(STDERR_FILENO);
    int exitCode = kFailed;
    int interrupts = 0;
    bool enqueued = false;
    engine::RunProgress last;
    QElapsedTimer sinceStart;
    sinceStart.start();
    QString filePath;

    auto finish = [&](int code) {
        exitCode = code;
        if (!engine.isShutDown()) engine.shutdown();
    };
    QObject::connect(&engine, &engine::Engine::shutDown, qApp, [] { QCoreApplication::exit(0); });
    QObject::connect(&engine, &engine::Engine::poolFailed, qApp, [&](const QString& e) {
        std::fprintf(stderr, "acquila run: %s\n", qPrintable(e));
        finish(kFailed);
    });
    QObject::connect(&engine, &engine::Engine::devicesChanged, qApp, [&](const std::vector<model::DeviceDescription>& devices) {
        if (enqueued || interrupts > 0) return;
        enqueued = true;
        const QString invalid = plan::validatePlan(*plan, devices);
        if (!invalid.isEmpty()) {
            std::fprintf(stderr, "%s\n", qPrintable(invalid));
            finish(kBadInput);
            return;
        }
        const plan::PlanEstimate estimate = plan::estimatePlan(*plan, devices, workers > 0 ? workers : QThread::idealThreadCount());
        std::fprintf(stderr, "estimate: %s\n", qPrintable(estimate.text()));
        engine.enqueue(*plan);
    });
    QObject::connect(&engine, &engine::Engine::resultsReady, qApp, [&](const engine::BatchListPtr& batches) {
        for (const auto& b : *batches) stats.add(*b);
    });
    QObject::connect(&engine, &engine::Engine::progressChanged, qApp, [&](const engine::RunProgress& pr) {
        last = pr;
        if (!pr.filePath.isEmpty()) filePath = pr.filePath;
    });
    QTimer bar;
    QObject::connect(&bar, &QTimer::timeout, qApp, [&] {
        if (last.total <= 0 || last.state == model::RunState::Finished) return;
        const double rate = last.elapsedS > 0 ? last.done / last.elapsedS : 0;
        const double eta = rate > 0 ? (last.total - last.done) / rate : -1;
        const int width = 30;
        const int filled = static_cast<int>(width * static_cast<double>(last.done) / static_cast<double>(last.total));
        const QString line = QStringLiteral("[%1%2] %3/%4 points  %5 pts/s  ETA %6  %7")
                                 .arg(QString(filled, QLatin1Char('#')), QString(width - filled, QLatin1Char('.')))
                                 .arg(last.done).arg(last.total).arg(rate, 0, 'f', 0).arg(formatDuration(eta))
                                 .arg(QLatin1String(model::runStateName(last.state)));
        std::fprintf(stderr, tty ? "\r%s\033[K" : "%s\n", qPrintable(line));
        std::fflush(stderr);
    });
    bar.start(tty ? 100 : 1000);
    QObject::connect(&engine, &engine::Engine::runFinished, qApp, [&](const engine::RunProgress& pr) {
        bar.stop();
        if (tty) std::fprintf(stderr, "\r\033[K");
        if (!pr.filePath.isEmpty()) filePath = pr.filePath;
        const double rate = pr.elapsedS > 0 ? pr.done / pr.elapsedS : 0;
        std::printf("%s: %lld/%lld points in %.2f s (%.0f points/s)%s; %s\n", model::runStatusName(pr.status),
                    static_cast<long long>(pr.done), static_cast<long long>(pr.total), pr.elapsedS, rate,
                    pr.reason.isEmpty() ? "" : qPrintable(QStringLiteral(": ") + pr.reason), qPrintable(stats.summary()));
        if (!filePath.isEmpty()) std::printf("file: %s\n", qPrintable(filePath));
        std::fflush(stdout);
        finish(pr.status == model::RunStatus::Completed ? kCompleted
               : pr.status == model::RunStatus::Failed  ? kFailed
                                                       : kStopped);
    });
    QObject::connect(&sigPipe, &SignalPipe::interrupted, qApp, [&](int) {
        ++interrupts;
        if (interrupts == 1) {
            if (!enqueued) {
                // Nothing measured yet: the run never starts and no file is created.
                const auto points = plan::PointGenerator::create(*plan);
                std::printf("stopped: 0/%lld points: Ctrl-C before the run started; no file written\n",
                            points.ok() ? static_cast<long long>((*points)->size()) : 0LL);
                std::fflush(stdout);
                finish(kStopped);
                return;
            }
            std::fprintf(stderr, "\nstopping after the current points (Ctrl-C again to abort)\n");
            engine.stop();
        } else {
            std::fprintf(stderr, "\naborting\n");
            engine.abort();
        }
    });
    engine.start();
    QCoreApplication::exec();
    return exitCode;
}

int devicesCommand(const QStringList& args) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Lists the lab's devices with their axes, outputs and properties, and those that are unavailable with the reason (exit 1 when any is)."));
    addCommonOptions(p);
    if (!p.parse(args)) {
        std::fprintf(stderr, "acquila devices: %s\n", qPrintable(p.errorText()));
        return kBadInput;
    }
    if (p.isSet(QStringLiteral("help"))) {
        std::printf("%s", qPrintable(p.helpText()));
        return kCompleted;
    }
    auto config = engineConfig(p.value(QStringLiteral("lab")), 1);
    if (!config) {
        std::fprintf(stderr, "%s\n", qPrintable(config.error()));
        return kBadInput;
    }
    engine::Engine engine(*config);
    int exitCode = kFailed;
    QObject::connect(&engine, &engine::Engine::shutDown, qApp, [] { QCoreApplication::exit(0); });
    QObject::connect(&engine, &engine::Engine::poolFailed, qApp, [&](const QString& e) {
        std::fprintf(stderr, "acquila devices: %s\n", qPrintable(e));
        engine.shutdown();
    });
    QObject::connect(&engine, &engine::Engine::logged, qApp, [](const engine::LogEntry& e) {
        if (e.level >= 4) std::fprintf(stderr, "%s\n", qPrintable(e.text));
    });
    QObject::connect(&engine, &engine::Engine::devicesChanged, qApp, [&](const std::vector<model::DeviceDescription>& devices) {
        exitCode = kCompleted;
        for (const auto& d : devices) {
            if (!d.unavailable.isEmpty()) {
                std::printf("%s  (UNAVAILABLE, %s): %s\n", qPrintable(d.name), qPrintable(d.driver), qPrintable(d.unavailable));
                exitCode = kFailed;  // listed, but the lab is not all there
                continue;
            }
            std::printf("%s  (%s, %s, %s)\n", qPrintable(d.name), model::deviceKindName(d.kind), qPrintable(d.driver),
                        d.concurrency == model::Concurrency::Exclusive ? "exclusive" : "replicable");
            for (size_t i = 0; i < d.axes.size(); ++i) {
                const auto& a = d.axes[i];
                std::printf("    axis   %-16s [%g, %g] %s  at %g\n", qPrintable(a.name), a.min, a.max, qPrintable(a.unit),
                            i < d.positions.size() ? d.positions[i] : 0.0);
            }
            for (const auto& o : d.outputs) {
                QStringList dims;
                for (auto n : o.shape) dims << QString::number(n);
                std::printf("    output %-16s %s %s %s\n", qPrintable(o.name), model::dtypeName(o.dtype),
                            dims.isEmpty() ? "scalar" : qPrintable(QLatin1Char('[') + dims.join(QLatin1Char('x')) + QLatin1Char(']')),
                            qPrintable(o.unit));
            }
            for (const auto& prop : d.properties) {
                QString range;
                if (prop.type == model::PropertyType::Enum) range = prop.allowed.join(QLatin1Char('|'));
                else if (prop.type == model::PropertyType::Int || prop.type == model::PropertyType::Double)
                    range = QStringLiteral("[%1, %2]").arg(prop.min).arg(prop.max);
                std::printf("    prop   %-16s %-6s %-14s = %s %s%s\n", qPrintable(prop.id), model::propertyTypeName(prop.type),
                            qPrintable(range), qPrintable(d.values.value(prop.id).toString()), qPrintable(prop.unit),
                            prop.readOnly ? "  (read-only)" : "");
            }
        }
        std::fflush(stdout);
        engine.shutdown();
    });
    engine.start();
    QCoreApplication::exec();
    return exitCode;
}

}  // namespace acquila::cli
