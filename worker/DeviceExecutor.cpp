#include "worker/DeviceExecutor.h"

#include "core/model/ResultBatch.h"
#include "core/protocol/Messages.h"
#include "core/protocol/ResultFrame.h"
#include "worker/Connection.h"

#include "core/model/DriverSchema.h"
#include "devices/PluginLoader.h"

#include <QFileInfo>

#include <QCborArray>
#include <spdlog/spdlog.h>
#include <algorithm>
#include <chrono>

namespace acquila::worker {

using protocol::Message;
using protocol::MessageType;

namespace {
int64_t toNs(double s) { return static_cast<int64_t>(s * 1e9); }

/** Opening a device is bounded by the timeout its spec gives (the device's own default: 10 s). */
double openTimeoutS(const model::DeviceSpec& spec) {
    bool ok = false;
    const double t = spec.params.value(QStringLiteral("timeout_s")).toDouble(&ok);
    return ok && t > 0 ? t : 10.0;
}
}  // namespace

DeviceExecutor::DeviceExecutor(Connection& connection, protocol::BlackBox* blackBox)
    : conn_(connection), ownBox_(blackBox ? nullptr : std::make_unique<protocol::BlackBox>()), box_(blackBox ? blackBox : ownBox_.get()) {}

DeviceExecutor::~DeviceExecutor() = default;

bool DeviceExecutor::handle(const Message& m) {
    switch (m.type) {
        case MessageType::Configure: configure(m); break;
        case MessageType::Open: open(m); break;
        case MessageType::Job: runJob(m); break;
        case MessageType::Close: close(m); break;
        case MessageType::Move: move(m); break;
        case MessageType::Set: setProperty(m); break;
        case MessageType::Shutdown: return false;
        default: break;
    }
    return true;
}

void DeviceExecutor::onJobQueued(quint64 jobId) { lastQueuedJob_.store(jobId); }

void DeviceExecutor::onCancel(model::CancelLevel level) {
    cancelLevel_.store(level);
    cancelledUpTo_.store(lastQueuedJob_.load());
    const quint64 running = runningJob_.load();
    if (running != 0 && running <= cancelledUpTo_.load()) token_.request(level);
    if (level == model::CancelLevel::Abort && configured_.load()) {
        for (auto& d : devices_) d.device->stop();  // abort: stop motion now (stop() is thread-safe)
    }
}

void DeviceExecutor::configure(const Message& m) {
    if (configured_.load()) {
        describe(m.id);
        return;
    }
    auto config = protocol::Configure::decode(m);
    if (!config) {
        openErrors_.push_back(QStringLiteral("bad lab configuration: %1").arg(config.error()));
    } else {
        lab_ = config->lab;
        loadPlugins();
        const bool exclusiveHere = config->exclusive;
        exclusive_ = exclusiveHere;
        devices::LabContext ctx{lab_.seed, &world_};
        const QHash<QString, QStringList> problems = labProblems();
        for (size_t i = 0; i < lab_.devices.size(); ++i) {
            const model::DeviceSpec& spec = lab_.devices[i];
            if (model::isExclusive(spec) && !exclusiveHere) continue;
            auto unavailable = [&](const QString& why) {
                openErrors_.push_back(QStringLiteral("device '%1' is unavailable: %2").arg(spec.name, why));
                unavailable_.push_back(model::DeviceDescription::unavailableDevice(spec.name, spec.driver, why));
            };
            if (config->skip.contains(spec.name)) {
                unavailable(QStringLiteral("it hung while opening (see the log)"));
                continue;
            }
            if (problems.contains(spec.name)) {
                unavailable(problems.value(spec.name).join(QLatin1String("; ")));
                continue;
            }
            box_->enter(-1, static_cast<int32_t>(i), protocol::BlackBoxOp::Open, toNs(openTimeoutS(spec)));
            try {
                devices_.push_back(Dev{devices::createDevice(spec, ctx), static_cast<int>(i)});
            } catch (const std::exception& e) {
                unavailable(QStringLiteral("could not be opened: %1").arg(QString::fromUtf8(e.what())));
            }
            box_->leave();
        }
    }
    configured_.store(true);
    spdlog::info("opened {} device(s){}", devices_.size(), openErrors_.empty() ? "" : ", some failed (see errors)");
    describe(m.id);
}

void DeviceExecutor::describe(quint64 replyTo) {
    protocol::Describe d;
    monitoredDevices_.clear();
    for (size_t i = 0; i < devices_.size(); ++i) {
        d.devices.push_back(devices_[i].device->describe());
        const model::DeviceDescription& desc = d.devices.back();
        const bool monitored = std::any_of(desc.properties.begin(), desc.properties.end(), [](const auto& p) { return p.monitored; });
        if (monitored || !desc.axes.empty()) monitoredDevices_.push_back(i);
    }
    d.devices.insert(d.devices.end(), unavailable_.begin(), unavailable_.end());
    d.errors = QStringList(openErrors_.begin(), openErrors_.end());
    conn_.send(protocol::toMessage(d, replyTo));
}

void DeviceExecutor::loadPlugins() {
    for (const devices::PluginReport& r : devices::loadPlugins(devices::pluginDirs(lab_.pluginDirs))) {
        if (r.error.isEmpty())
            spdlog::info("plugin {} {} ({}): drivers {}", r.name.toStdString(), r.version.toStdString(), r.file.toStdString(),
                         r.drivers.join(QLatin1String(", ")).toStdString());
        else
            spdlog::error("{}", r.error.toStdString());
    }
}

QHash<QString, QStringList> DeviceExecutor::labProblems() const {
    QHash<QString, QStringList> out;
    for (const model::LabProblem& p : model::checkLab(lab_, model::UnknownDrivers::Refuse)) {
        const model::DeviceSpec* spec = nullptr;
        for (const auto& d : lab_.devices)
            if (d.name == p.device) spec = &d;
        if (spec && !model::findDriverDecl(spec->driver)) {
            out[p.device] = QStringList{missingDriver(spec->driver)};
            continue;
        }
        out[p.device] << QStringLiteral("%1: %2").arg(p.pointer, p.message);
    }
    return out;
}

QString DeviceExecutor::missingDriver(const QString& driver) const {
    QStringList failed, loaded;
    for (const devices::PluginReport& r : devices::pluginReports()) {
        if (!r.error.isEmpty()) failed << r.error;
        else loaded << QStringLiteral("%1 (%2)").arg(QFileInfo(r.file).fileName(), r.drivers.join(QLatin1String(", ")));
    }
    QString why = QStringLiteral("no plugin provides driver '%1'").arg(driver);
    if (!failed.isEmpty()) why += QStringLiteral("; %1 plugin(s) failed to load: %2").arg(failed.size()).arg(failed.join(QLatin1String("; ")));
    why += loaded.isEmpty() ? QStringLiteral("; no plugin loaded from %1").arg(devices::pluginDirs(lab_.pluginDirs).join(QLatin1String(", ")))
                            : QStringLiteral("; loaded: %1").arg(loaded.join(QLatin1String(", ")));
    return why;
}

DeviceExecutor::Dev* DeviceExecutor::findDevice(const QString& name) {
    for (auto& d : devices_)
        if (d.device->name() == name) return &d;
    return nullptr;
}

void DeviceExecutor::open(const Message& m) {
    auto request = protocol::OpenRun::decode(m);
    // A request that does not decode is still answered for the run it names, so the run fails at once.
    const quint64 runId = request ? request->run : protocol::runIdOf(m);
    // Job ids start at 1 in every run: a cancel of an earlier run must not cover this one's jobs.
    // No job or cancel of the new run can be here yet: the manager sends them after this reply.
    cancelledUpTo_.store(0);
    lastQueuedJob_.store(0);
    cancelLevel_.store(model::CancelLevel::None);
    const QString error = request ? openRun(runId, request->plan, request->origin) : request.error();
    if (!error.isEmpty()) {
        if (run_) restoreProperties(*run_);
        run_.reset();
        spdlog::error("run {} cannot start here: {}", runId, error.toStdString());
    }
    conn_.send(protocol::toMessage(protocol::OpenReply{runId, error}, m.id));
}

QString DeviceExecutor::openRun(quint64 runId, const QString& planJson, const std::vector<double>& origin) {
    auto plan = plan::parsePlan(planJson.toUtf8(), QStringLiteral("plan"));
    if (!plan) return plan.error();
    auto gen = plan::PointGenerator::create(*plan, origin);
    if (!gen) return gen.error();
    run_ = RunContext{};  // not emplace(): clang 14 rejects it for a nested class with member initializers
    RunContext& r = *run_;
    r.id = runId;
    r.plan = *plan;
    r.gen = std::move(*gen);
    r.settleS = r.plan.settleS;
    r.exposureS = r.plan.exposureS;
    r.origin = origin;
    for (const plan::AxisSpec& a : r.plan.axes) {
        bool found = false;
        for (auto& d : devices_) {
            devices::Actuator* act = d.device->asActuator();
            if (!act) continue;
            const auto desc = d.device->describe();
            for (size_t i = 0; i < desc.axes.size(); ++i) {
                if (desc.axes[i].name != a.device) continue;
                r.axes.push_back({act, static_cast<int>(i), d.labIndex, d.device->timeoutS()});
                r.channelTemplate.push_back(model::Channel{a.device, model::DType::Float64, {}, {}});
                found = true;
            }
        }
        if (!found) return QStringLiteral("axis '%1' is not available in this worker").arg(a.device);
    }
    r.channelTemplate.push_back(model::Channel{model::kTimestampChannel, model::DType::Float64, {}, {}});
    for (const QString& out : r.plan.detectors) {
        bool found = false;
        for (auto& d : devices_) {
            devices::Detector* det = d.device->asDetector();
            if (!det) continue;
            const auto desc = d.device->describe();
            const model::OutputDecl* decl = desc.findOutput(out);
            if (!decl) continue;
            DetectorBinding* b = nullptr;
            for (auto& existing : r.detectors)
                if (existing.detector == det) b = &existing;
            if (!b) {
                r.detectors.push_back({det, d.labIndex, d.device->timeoutS(), desc.outputs, std::vector<int>(desc.outputs.size(), -1)});
                b = &r.detectors.back();
            }
            for (size_t i = 0; i < b->outputs.size(); ++i) {
                if (b->outputs[i].name == out) {
                    b->channel[i] = static_cast<int>(r.channelTemplate.size());
                    r.channelTemplate.push_back(model::Channel{out, decl->dtype, decl->shape, {}});
                }
            }
            found = true;
        }
        if (!found) return QStringLiteral("detector output '%1' is not available in this worker").arg(out);
    }
    // Properties the plan changes are set now and restored at close, whatever the outcome.
    for (auto it = r.plan.properties.cbegin(); it != r.plan.properties.cend(); ++it) {
        Dev* d = findDevice(it.key());
        if (!d) return QStringLiteral("device '%1' is not available in this worker").arg(it.key());
        const QVariantMap before = d->device->describe().values;
        for (auto p = it.value().cbegin(); p != it.value().cend(); ++p) {
            box_->enter(-1, d->labIndex, protocol::BlackBoxOp::Property, toNs(d->device->timeoutS()));
            try {
                d->device->setProperty(p.key(), p.value());
            } catch (const std::exception& e) {
                box_->leave();
                return QString::fromUtf8(e.what());
            }
            box_->leave();
            r.restores.push_back({d->device.get(), p.key(), before.value(p.key())});
        }
    }
    // The plan's properties may change the devices' timeouts (timeout_s): bind the ones now in force.
    for (AxisBinding& a : r.axes) a.timeoutS = a.actuator->timeoutS();
    for (DetectorBinding& d : r.detectors) d.timeoutS = d.detector->timeoutS();
    return {};
}

QStringList DeviceExecutor::restoreProperties(RunContext& r) {
    QStringList problems;
    for (auto it = r.restores.rbegin(); it != r.restores.rend(); ++it) {
        box_->enter(-1, labIndexOf(it->device), protocol::BlackBoxOp::Property, toNs(it->device->timeoutS()));
        try {
            it->device->setProperty(it->property, it->value);
        } catch (const std::exception& e) {
            problems << QStringLiteral("could not restore %1.%2: %3").arg(it->device->name(), it->property, QString::fromUtf8(e.what()));
        }
        box_->leave();
    }
    r.restores.clear();
    return problems;
}

int DeviceExecutor::labIndexOf(const devices::Device* device) const {
    for (const auto& d : devices_)
        if (d.device.get() == device) return d.labIndex;
    return -1;
}

devices::Checkpoint DeviceExecutor::moveWithDeadline(devices::Actuator* actuator, int axis, double position, int labIndex) {
    const double timeoutS = actuator->timeoutS();
    box_->enter(-1, labIndex, protocol::BlackBoxOp::Move, toNs(timeoutS));
    token_.setDeadline(std::chrono::steady_clock::now() +
                       std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(timeoutS)));
    devices::Checkpoint cp = devices::Checkpoint::Continue;
    try {
        cp = actuator->moveTo(axis, position, token_);
    } catch (...) {
        box_->leave();
        token_.clearDeadline();
        throw;
    }
    box_->leave();
    token_.clearDeadline();
    if (cp == devices::Checkpoint::Timeout)
        throw devices::DeviceError(QStringLiteral("move did not settle within %1 s").arg(timeoutS).toStdString());
    return cp;
}

void DeviceExecutor::close(const Message& m) {
    auto request = protocol::CloseRun::decode(m);
    const quint64 runId = request ? request->run : 0;
    QStringList problems;
    if (!request) problems << request.error();
    if (run_ && request && run_->id == runId) {
        RunContext& r = *run_;
        token_.reset();
        problems << restoreProperties(r);
        if (r.plan.returnToStart) {
            for (size_t a = 0; a < r.axes.size() && a < r.origin.size(); ++a) {
                try {
                    moveWithDeadline(r.axes[a].actuator, r.axes[a].axis, r.origin[a], r.axes[a].labIndex);
                } catch (const std::exception& e) {
                    problems << QString::fromUtf8(e.what());
                }
            }
        }
        run_.reset();
    }
    conn_.send(protocol::toMessage(protocol::CloseReply{runId, problems.join(QLatin1String("; "))}, m.id));
    describe(0);  // positions and properties may have changed
}

void DeviceExecutor::move(const Message& m) {
    auto request = protocol::MoveAxis::decode(m);
    protocol::MoveReply reply;
    if (!request) {
        reply.error = request.error();
    } else if (run_) {
        reply.error = QStringLiteral("cannot move %1: run %2 is open in this worker").arg(request->axis).arg(run_->id);
    } else {
        const QString& axis = request->axis;
        const double position = request->position;
        token_.reset();
        bool found = false;
        for (auto& d : devices_) {
            devices::Actuator* act = d.device->asActuator();
            if (!act) continue;
            const auto desc = d.device->describe();
            for (size_t i = 0; i < desc.axes.size(); ++i) {
                if (desc.axes[i].name != axis) continue;
                found = true;
                try {
                    moveWithDeadline(act, static_cast<int>(i), position, d.labIndex);
                    reply.value = act->position(static_cast<int>(i));
                } catch (const std::exception& e) {
                    reply.error = QString::fromUtf8(e.what());
                }
            }
        }
        if (!found) reply.error = QStringLiteral("axis '%1' is not available in this worker").arg(axis);
    }
    if (!reply.error.isEmpty()) spdlog::error("move: {}", reply.error.toStdString());
    conn_.send(protocol::toMessage(reply, m.id));
    describe(0);  // positions changed
}

void DeviceExecutor::setProperty(const Message& m) {
    auto request = protocol::SetProperty::decode(m);
    protocol::SetReply reply;
    Dev* d = request ? findDevice(request->device) : nullptr;
    if (!request) {
        reply.error = request.error();
    } else if (run_) {
        reply.error = QStringLiteral("cannot set %1.%2: run %3 is open in this worker").arg(request->device, request->property).arg(run_->id);
    } else if (!d) {
        reply.error = QStringLiteral("device '%1' is not open in this worker").arg(request->device);
    } else {
        // Under the device's timeout: the watchdog kills a worker whose set never returns.
        box_->enter(-1, d->labIndex, protocol::BlackBoxOp::Property, toNs(d->device->timeoutS()));
        try {
            d->device->setProperty(request->property, request->value);
            reply.value = d->device->describe().values.value(request->property);
        } catch (const std::exception& e) {
            reply.error = QString::fromUtf8(e.what());
        }
        box_->leave();
    }
    conn_.send(protocol::toMessage(reply, m.id));
    if (d) describe(0);  // the value (and perhaps the device's timeout) changed
}

int DeviceExecutor::idleIntervalMs() const {
    if (!exclusive_ || run_ || lab_.monitorIntervalS <= 0 || monitoredDevices_.empty()) return -1;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(nextMonitor_ - std::chrono::steady_clock::now());
    return static_cast<int>(std::max<qint64>(0, left.count()));
}

void DeviceExecutor::onIdle() {
    if (idleIntervalMs() != 0) return;
    nextMonitor_ = std::chrono::steady_clock::now() +
                   std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(lab_.monitorIntervalS));
    pollMonitors();
}

void DeviceExecutor::pollMonitors() {
    protocol::Monitor monitor;
    for (size_t i : monitoredDevices_) {
        const Dev& d = devices_[i];
        box_->enter(-1, d.labIndex, protocol::BlackBoxOp::Monitor, toNs(d.device->timeoutS()));
        model::DeviceDescription desc;
        try {
            desc = d.device->describe();
        } catch (const std::exception& e) {
            box_->leave();
            spdlog::warn("monitor {}: {}", d.device->name().toStdString(), e.what());
            continue;
        }
        box_->leave();
        for (size_t a = 0; a < desc.axes.size() && a < desc.positions.size(); ++a) monitor.positions.insert(desc.axes[a].name, desc.positions[a]);
        for (const model::PropertyDecl& p : desc.properties)
            if (p.monitored) monitor.properties[desc.name].insert(p.id, desc.values.value(p.id));
    }
    conn_.send(protocol::toMessage(monitor));
}

void DeviceExecutor::sendResult(quint64 job, qint64 first, qint64 count, const std::vector<QByteArray>& buffers, bool final,
                                double seconds) {
    conn_.sendFrame(protocol::encodeResultFrame(run_->id, first, count, run_->channelTemplate, buffers, {job, final, seconds}));
}

void DeviceExecutor::sendError(quint64 job, qint64 point, int labIndex, const char* op, const QString& message) {
    const QString device =
        labIndex >= 0 && labIndex < static_cast<int>(lab_.devices.size()) ? lab_.devices[labIndex].name : QString();
    conn_.send(protocol::toMessage(protocol::ErrorReport{run_ ? run_->id : 0, job, point, device, QLatin1String(op), message}, job));
}

void DeviceExecutor::runJob(const Message& m) {
    auto request = protocol::JobRequest::decode(m);
    const quint64 job = request ? request->job : m.id;  // a job's message id is its job id
    const qint64 first = request ? request->first : 0;
    const qint64 count = request ? request->count : 0;
    if (!request || !run_ || run_->id != request->run || first + count > run_->gen->size()) {
        sendError(job, first, -1, "job", request ? QStringLiteral("job does not match the open run") : request.error());
        return;
    }
    token_.reset();
    runningJob_.store(job);
    if (job <= cancelledUpTo_.load()) token_.request(cancelLevel_.load());
    PointSink sink{[&](qint64 from, qint64 n, const std::vector<QByteArray>& buffers, bool final, double seconds) {
                       sendResult(job, from, n, buffers, final, seconds);
                   },
                   [&](qint64 point, int labIndex, const char* op, const QString& message) {
                       runningJob_.store(0);  // the job is over before its error goes out
                       sendError(job, point, labIndex, op, message);
                   }};
    PointLoop loop(*run_, token_, box_, std::move(sink));
    setActiveLoop(&loop);
    loop.run(first, count);
    setActiveLoop(nullptr);
    runningJob_.store(0);
}

void DeviceExecutor::setActiveLoop(PointLoop* loop) {
    std::lock_guard lock(loopMutex_);
    loop_ = loop;
}

void DeviceExecutor::onTick() {
    std::lock_guard lock(loopMutex_);
    if (loop_) loop_->handOver();
}

}  // namespace acquila::worker
