#include "cli/SetCommand.h"

#include "cli/CliCommon.h"
#include "core/engine/Engine.h"
#include "core/model/DeviceTarget.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QRegularExpression>
#include <QTimer>
#include <cstdio>

namespace acquila::cli {

namespace {

/** How long the workers have to describe the devices before the command gives up. */
constexpr int kDescribeTimeoutMs = 30000;

/**
 * `acquila set` (`value` given) and `acquila get`: one engine with one device worker, which
 * opens the lab; the value is read from its description, or set through Engine::setNow.
 */
int setOrGet(const QStringList& args, bool set) {
    const char* name = set ? "set" : "get";
    QCommandLineParser p;
    p.setApplicationDescription(
        set ? QStringLiteral("Sets a property or moves an axis now, outside a run, and prints the value read back.\n"
                             "TARGET is an axis (motor, stage.x) or DEVICE.PROPERTY (camera.spot_sigma); VALUE follows\n"
                             "the property's type (true/false, a number, a string, one of the allowed values).\n"
                             "Exit codes: 0 done, 1 the device failed or did not answer within its timeout, 2 bad input.")
            : QStringLiteral("Prints an axis position or a property value with its unit.\n"
                             "TARGET is an axis (motor, stage.x) or DEVICE.PROPERTY (camera.spot_sigma).\n"
                             "Exit codes: 0 done, 1 the lab could not be opened, 2 bad input."));
    p.addHelpOption();
    p.addOption({QStringLiteral("lab"), QStringLiteral("Lab configuration (JSON); default: the built-in simulated lab."), QStringLiteral("CONFIG")});
    p.addPositionalArgument(QStringLiteral("target"), QStringLiteral("An axis, or DEVICE.PROPERTY."));
    if (set) p.addPositionalArgument(QStringLiteral("value"), QStringLiteral("The new value or position."));
    // A negative value ("acquila set motor -3") is a value, not an option: hidden from the parser.
    QStringList parsed = args;
    QStringList negatives;
    static const QRegularExpression negative(QStringLiteral("^-(\\d|\\.\\d|inf|nan)"), QRegularExpression::CaseInsensitiveOption);
    for (qsizetype i = 1; i < parsed.size(); ++i) {
        if (!negative.match(parsed[i]).hasMatch() || parsed[i - 1] == QLatin1String("--lab")) continue;
        negatives << parsed[i];
        parsed[i] = QStringLiteral("\x01%1").arg(negatives.size() - 1);
    }
    if (!p.parse(parsed)) {
        std::fprintf(stderr, "acquila %s: %s\n", name, qPrintable(p.errorText()));
        return kBadInput;
    }
    if (p.isSet(QStringLiteral("help"))) {
        std::printf("%s", qPrintable(p.helpText()));
        return kCompleted;
    }
    QStringList positional = p.positionalArguments();
    for (QString& a : positional)
        if (a.startsWith(QLatin1Char('\x01'))) a = negatives.value(a.mid(1).toInt());
    if (positional.size() != (set ? 2 : 1)) {
        std::fprintf(stderr, set ? "acquila set: expected TARGET VALUE (see --help)\n" : "acquila get: expected TARGET (see --help)\n");
        return kBadInput;
    }
    const QString target = positional.at(0);
    auto config = engineConfig(p.value(QStringLiteral("lab")), 1);
    if (!config) {
        std::fprintf(stderr, "%s\n", qPrintable(config.error()));
        return kBadInput;
    }

    engine::Engine engine(*config);
    int exitCode = kFailed;
    bool asked = false;
    quint64 request = 0;
    const auto finish = [&](int code) {
        exitCode = code;
        if (!engine.isShutDown()) engine.shutdown();
    };
    QObject::connect(&engine, &engine::Engine::shutDown, qApp, [] { QCoreApplication::exit(0); });
    QObject::connect(&engine, &engine::Engine::poolFailed, qApp, [&](const QString& e) {
        std::fprintf(stderr, "acquila %s: %s\n", name, qPrintable(e));
        finish(kFailed);
    });
    // The workers' own errors (a device that could not be opened); the command reports the outcome itself.
    QObject::connect(&engine, &engine::Engine::logged, qApp, [](const engine::LogEntry& e) {
        if (e.level >= 4 && e.source != QLatin1String("engine")) std::fprintf(stderr, "%s: %s\n", qPrintable(e.source), qPrintable(e.text));
    });
    QObject::connect(&engine, &engine::Engine::devicesChanged, qApp, [&](const std::vector<model::DeviceDescription>& devices) {
        if (asked) return;
        asked = true;
        const auto found = model::findTarget(devices, target);
        if (!found) {
            std::fprintf(stderr, "acquila %s: %s\n", name, qPrintable(found.error()));
            finish(kBadInput);
            return;
        }
        if (!set) {
            std::printf("%s = %s\n", qPrintable(found->name()), qPrintable(found->format(found->current())));
            std::fflush(stdout);
            finish(kCompleted);
            return;
        }
        request = engine.setNow(target, positional.at(1));  // parsed and checked by the engine, following the declaration
    });
    QObject::connect(&engine, &engine::Engine::setNowFinished, qApp, [&](const engine::SetNowResult& r) {
        if (r.id != request) return;
        if (r.ok()) {
            std::printf("%s = %s\n", qPrintable(r.target), qPrintable(r.text));
            std::fflush(stdout);
            finish(kCompleted);
            return;
        }
        std::fprintf(stderr, "acquila set: %s\n", qPrintable(r.error));
        finish(r.outcome == engine::SetNowResult::Outcome::Invalid ? kBadInput : kFailed);
    });
    QTimer deadline;
    deadline.setSingleShot(true);
    QObject::connect(&deadline, &QTimer::timeout, qApp, [&] {
        if (asked) return;
        asked = true;
        std::fprintf(stderr, "acquila %s: the workers did not describe the devices within %d s\n", name, kDescribeTimeoutMs / 1000);
        finish(kFailed);
    });
    deadline.start(kDescribeTimeoutMs);
    engine.start();
    QCoreApplication::exec();
    return exitCode;
}

}  // namespace

int setCommand(const QStringList& args) { return setOrGet(args, true); }
int getCommand(const QStringList& args) { return setOrGet(args, false); }

}  // namespace acquila::cli
