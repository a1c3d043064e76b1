#include "cli/SoakCommand.h"

#include "cli/CliCommon.h"
#include "cli/ProcessTree.h"
#include "core/engine/Engine.h"
#include "core/plan/Plan.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTimer>
#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <unistd.h>

namespace acquila::cli {

namespace {

const char kDefaultPlan[] = R"({
  "version": 1, "name": "soak", "title": "Soak: motor scan with diode and spectrometer",
  "scan": {"type": "linear"},
  "axes": [{"device": "motor", "start": -50, "stop": 50, "steps": 200}],
  "detectors": ["diode", "spectrometer"], "settle_s": 0, "exposure_s": 0
})";

struct Sample {
    double t = 0;
    int runs = 0;
    std::vector<ProcessSample> processes;  // the app first, then its descendants
};

struct Options {
    double seconds = 60;
    double interval = 1;
    double warmup = -1;  // default: a quarter of the time
    double maxGrowthPercent = 10;
};

/** Peak RSS and descriptors of one process over some samples. */
struct Peak {
    qint64 rssKiB = 0;
    int fds = 0;
    QString name;
};

std::map<pid_t, Peak> peaks(const std::vector<Sample>& samples, double from, double to) {
    std::map<pid_t, Peak> out;
    for (const auto& s : samples) {
        if (s.t < from || s.t >= to) continue;
        for (const auto& p : s.processes) {
            Peak& k = out[p.pid];
            k.rssKiB = std::max(k.rssKiB, p.rssKiB);
            k.fds = std::max(k.fds, p.fds);
            k.name = p.name;
        }
    }
    return out;
}

/** Compares the first and second half after the warm-up; adds a line per problem. */
QJsonArray compareHalves(const std::vector<Sample>& samples, const Options& o, QStringList* problems) {
    const double end = samples.empty() ? 0 : samples.back().t + 1e-9;
    const double mid = o.warmup + (end - o.warmup) / 2;
    const auto first = peaks(samples, o.warmup, mid);
    const auto second = peaks(samples, mid, end);
    QJsonArray rows;
    std::set<pid_t> pids;
    for (const auto& [pid, k] : first) pids.insert(pid);
    for (const auto& [pid, k] : second) pids.insert(pid);
    for (pid_t pid : pids) {
        const auto a = first.find(pid), b = second.find(pid);
        const QString name = (a != first.end() ? a->second : b->second).name;
        if (a == first.end() || b == second.end()) {
            problems->append(QStringLiteral("process %1 (%2) %3 after the warm-up").arg(pid).arg(name, a == first.end() ? QStringLiteral("appeared") : QStringLiteral("went away")));
            continue;
        }
        const double growth = a->second.rssKiB > 0 ? 100.0 * (b->second.rssKiB - a->second.rssKiB) / a->second.rssKiB : 0;
        if (growth > o.maxGrowthPercent)
            problems->append(QStringLiteral("%1 (pid %2): peak RSS grew %3 %").arg(name).arg(pid).arg(growth, 0, 'f', 1));
        if (b->second.fds > a->second.fds)
            problems->append(QStringLiteral("%1 (pid %2): peak open descriptors grew from %3 to %4").arg(name).arg(pid).arg(a->second.fds).arg(b->second.fds));
        rows.append(QJsonObject{{QStringLiteral("pid"), pid}, {QStringLiteral("name"), name},
                                {QStringLiteral("peak_rss_kib_first_half"), a->second.rssKiB}, {QStringLiteral("peak_rss_kib_second_half"), b->second.rssKiB},
                                {QStringLiteral("rss_growth_percent"), growth},
                                {QStringLiteral("peak_fds_first_half"), a->second.fds}, {QStringLiteral("peak_fds_second_half"), b->second.fds}});
    }
    return rows;
}

QJsonArray samplesJson(const std::vector<Sample>& samples) {
    QJsonArray out;
    for (const auto& s : samples) {
        QJsonArray procs;
        for (const auto& p : s.processes)
            procs.append(QJsonObject{{QStringLiteral("pid"), p.pid}, {QStringLiteral("name"), p.name},
                                     {QStringLiteral("rss_kib"), p.rssKiB}, {QStringLiteral("fds"), p.fds}});
        out.append(QJsonObject{{QStringLiteral("t"), s.t}, {QStringLiteral("runs"), s.runs},
                               {QStringLiteral("children"), static_cast<int>(s.processes.size()) - 1}, {QStringLiteral("processes"), procs}});
    }
    return out;
}

bool parseOptions(const QCommandLineParser& p, Options* o) {
    auto number = [&](const char* name, double* v, double min) {
        if (!p.isSet(QLatin1String(name))) return true;
        bool ok = false;
        *v = p.value(QLatin1String(name)).toDouble(&ok);
        if (ok && *v >= min && *v <= 1e7) return true;
        std::fprintf(stderr, "acquila soak: --%s expects a number between %g and 1e7\n", name, min);
        return false;
    };
    if (!number("seconds", &o->seconds, 1) || !number("interval", &o->interval, 0.05) || !number("warmup", &o->warmup, 0) ||
        !number("max-rss-growth", &o->maxGrowthPercent, 0))
        return false;
    if (o->warmup < 0) o->warmup = o->seconds / 4;
    if (o->warmup >= o->seconds) {
        std::fprintf(stderr, "acquila soak: --warmup must be shorter than --seconds\n");
        return false;
    }
    return true;
}

}  // namespace

int soakCommand(const QStringList& args) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Runs a plan back to back and samples memory, descriptors and child processes; prints JSON.\n"
        "Exit codes: 0 stable, 1 a run failed or something grew, 2 bad input."));
    p.addHelpOption();
    p.addOption({QStringLiteral("seconds"), QStringLiteral("How long to run scans (default 60)."), QStringLiteral("N")});
    p.addOption({QStringLiteral("plan"), QStringLiteral("Plan file (default: a 200-point motor scan)."), QStringLiteral("PLAN")});
    p.addOption({QStringLiteral("interval"), QStringLiteral("Seconds between samples (default 1)."), QStringLiteral("S")});
    p.addOption({QStringLiteral("warmup"), QStringLiteral("Seconds not compared (default: a quarter of --seconds)."), QStringLiteral("S")});
    p.addOption({QStringLiteral("max-rss-growth"), QStringLiteral("Allowed growth of a process's peak RSS in percent (default 10)."), QStringLiteral("PCT")});
    p.addOption({QStringLiteral("lab"), QStringLiteral("Lab configuration (JSON); default: the built-in simulated lab."), QStringLiteral("CONFIG")});
    p.addOption({QStringLiteral("workers"), QStringLiteral("Number of device worker processes (default: logical cores)."), QStringLiteral("N")});
    p.addOption({QStringLiteral("out"), QStringLiteral("Directory for the run files (default: a temporary one, removed at the end)."), QStringLiteral("DIR")});
    p.addOption({QStringLiteral("no-file"), QStringLiteral("Do not write HDF5 files (no storage worker).")});
    if (!p.parse(args)) {
        std::fprintf(stderr, "acquila soak: %s\n", qPrintable(p.errorText()));
        return kBadInput;
    }
    if (p.isSet(QStringLiteral("help"))) {
        std::printf("%s", qPrintable(p.helpText()));
        return kCompleted;
    }
    Options o;
    if (!parseOptions(p, &o)) return kBadInput;
    const int workers = p.value(QStringLiteral("workers")).toInt();
    auto plan = p.isSet(QStringLiteral("plan")) ? plan::loadPlanFile(p.value(QStringLiteral("plan")))
                                                : plan::parsePlan(QByteArray(kDefaultPlan), QStringLiteral("<built-in soak plan>"));
    if (!plan) {
        std::fprintf(stderr, "%s\n", qPrintable(plan.error()));
        return kBadInput;
    }
    auto config = engineConfig(p.value(QStringLiteral("lab")), std::clamp(workers, 0, 256));
    if (!config) {
        std::fprintf(stderr, "%s\n", qPrintable(config.error()));
        return kBadInput;
    }
    QTemporaryDir tmp(QDir::tempPath() + QStringLiteral("/acquila-soak-XXXXXX"));
    config->storage = !p.isSet(QStringLiteral("no-file"));
    config->dataDirectory = p.isSet(QStringLiteral("out")) ? p.value(QStringLiteral("out")) : tmp.path();
    const bool ownFiles = !p.isSet(QStringLiteral("out"));

    engine::Engine engine(*config);
    std::vector<Sample> samples;
    std::map<QString, int> outcomes;
    qint64 points = 0;
    QStringList problems;
    QElapsedTimer clock;
    bool timeUp = false, started = false;

    QTimer sampler;
    auto takeSample = [&] {
        int runs = 0;
        for (const auto& [k, n] : outcomes) runs += n;
        samples.push_back({clock.elapsed() / 1000.0, runs, sampleProcessTree(getpid())});
    };
    QObject::connect(&sampler, &QTimer::timeout, qApp, [&] {
        takeSample();
        if (clock.elapsed() >= o.seconds * 1000) timeUp = true;
    });
    QObject::connect(&engine, &engine::Engine::shutDown, qApp, [] { QCoreApplication::exit(0); });
    QObject::connect(&engine, &engine::Engine::poolFailed, qApp, [&](const QString& e) {
        problems.append(e);
        engine.shutdown();
    });
    QObject::connect(&engine, &engine::Engine::devicesChanged, qApp, [&](const std::vector<model::DeviceDescription>& devices) {
        if (started) return;
        started = true;
        const QString invalid = plan::validatePlan(*plan, devices);
        if (!invalid.isEmpty()) {
            problems.append(invalid);
            engine.shutdown();
            return;
        }
        clock.start();
        sampler.start(static_cast<int>(o.interval * 1000));
        takeSample();
        engine.enqueue(*plan);
    });
    QObject::connect(&engine, &engine::Engine::runFinished, qApp, [&](const engine::RunProgress& pr) {
        ++outcomes[QLatin1String(model::runStatusName(pr.status))];
        points += pr.done;
        if (pr.status != model::RunStatus::Completed) problems.append(QStringLiteral("run %1 ended %2: %3").arg(pr.runId).arg(QLatin1String(model::runStatusName(pr.status)), pr.reason));
        if (ownFiles && !pr.filePath.isEmpty()) QFile::remove(pr.filePath);
        if (!timeUp) {
            engine.enqueue(*plan);
            return;
        }
        sampler.stop();
        takeSample();
        engine.shutdown();
    });
    engine.start();
    QCoreApplication::exec();

    if (samples.size() < 4) problems.append(QStringLiteral("too few samples to compare (%1)").arg(samples.size()));
    const QJsonArray compared = compareHalves(samples, o, &problems);
    QJsonObject runs;
    for (const auto& [k, n] : outcomes) runs.insert(k, n);
    const QJsonObject report{
        {QStringLiteral("seconds"), samples.empty() ? 0.0 : samples.back().t},
        {QStringLiteral("plan"), plan->name},
        {QStringLiteral("runs"), runs},
        {QStringLiteral("points"), points},
        {QStringLiteral("warmup_s"), o.warmup},
        {QStringLiteral("max_rss_growth_percent"), o.maxGrowthPercent},
        {QStringLiteral("processes"), compared},
        {QStringLiteral("problems"), QJsonArray::fromStringList(problems)},
        {QStringLiteral("stable"), problems.isEmpty()},
        {QStringLiteral("samples"), samplesJson(samples)},
    };
    std::printf("%s", QJsonDocument(report).toJson(QJsonDocument::Indented).constData());
    std::fflush(stdout);
    for (const auto& e : problems) std::fprintf(stderr, "acquila soak: %s\n", qPrintable(e));
    return problems.isEmpty() ? kCompleted : kFailed;
}

}  // namespace acquila::cli
