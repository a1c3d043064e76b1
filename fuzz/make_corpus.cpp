// Writes the seed corpus of the protocol targets with the project's own encoders:
//   fuzz_make_corpus DIR   ->  DIR/frames, DIR/message, DIR/result
// (plans, lab files and HDF5 files are copied or written by scripts/fuzz.sh --make-corpus).
#include "core/model/LabConfig.h"
#include "core/plan/Plan.h"
#include "core/plan/PointGenerator.h"
#include "core/protocol/Messages.h"
#include "core/protocol/ResultFrame.h"
#include "core/storage/RunLayout.h"

#include <QDir>
#include <QFile>
#include <cstdio>

using namespace acquila;
using namespace acquila::protocol;

namespace {

void write(const QString& path, const QByteArray& bytes) {
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size()) {
        std::fprintf(stderr, "cannot write %s\n", qPrintable(path));
        std::exit(1);
    }
}

model::DeviceDescription motor() {
    model::DeviceDescription d;
    d.name = QStringLiteral("motor");
    d.driver = QStringLiteral("sim.motor");
    d.kind = model::DeviceKind::Actuator;
    d.axes.push_back({QStringLiteral("motor"), QStringLiteral("mm"), -100, 100});
    d.positions = {0};
    return d;
}

model::DeviceDescription spectrometer() {
    model::DeviceDescription d;
    d.name = QStringLiteral("spectrometer");
    d.driver = QStringLiteral("sim.spectrometer");
    d.outputs.push_back({QStringLiteral("spectrometer"), QStringLiteral("counts"), model::DType::UInt16, {8}, {QStringLiteral("pixel")}});
    d.outputs.push_back({QStringLiteral("diode"), QStringLiteral("V"), model::DType::Float64, {}, {}});
    return d;
}

QByteArray resultBody() {
    std::vector<model::Channel> channels(2);
    channels[0].name = QStringLiteral("diode");
    channels[0].dtype = model::DType::Float64;
    channels[1].name = QStringLiteral("spectrometer");
    channels[1].dtype = model::DType::UInt16;
    channels[1].pointShape = {8};
    std::vector<QByteArray> data{QByteArray(3 * 8, '\1'), QByteArray(3 * 8 * 2, '\2')};
    return encodeResultFrame(7, 10, 3, channels, data, ResultMeta{4, true, 0.25}).mid(4);
}

std::vector<Message> messages() {
    const std::vector<model::DeviceDescription> devices{motor(), spectrometer()};
    const char plan[] = R"({"version":1,"name":"seed","scan":{"type":"linear"},"axes":[{"device":"motor","start":0,"stop":1,"steps":4}],"detectors":["spectrometer"]})";
    auto p = plan::parsePlan(QByteArray(plan), QStringLiteral("seed.json"));
    auto gen = plan::PointGenerator::create(*p);
    auto layout = storage::RunLayout::forPlan(*p, **gen, devices);
    if (!layout) std::fprintf(stderr, "layout: %s\n", qPrintable(layout.error())), std::exit(1);
    Configure configure;
    configure.lab = *model::loadLabConfig({});
    return {
        toMessage(Hello{1, QStringLiteral("token"), 1234, 0, WorkerRole::Device}),
        toMessage(configure),
        toMessage(Describe{devices, {QStringLiteral("camera: not found")}}),
        toMessage(OpenRun{7, QString::fromUtf8(plan), {0.0}}),
        toMessage(OpenReply{7, {}}),
        toMessage(CloseReply{7, QStringLiteral("restore failed")}),
        toMessage(JobRequest{7, 4, 10, 3}, 4),
        toMessage(Cancel{model::CancelLevel::Abort}),
        toMessage(ErrorReport{7, 4, 11, QStringLiteral("fault"), QStringLiteral("read"), QStringLiteral("boom")}),
        toMessage(LogLine{3, QStringLiteral("a log line")}),
        toMessage(MoveAxis{QStringLiteral("motor"), 2.5}),
        toMessage(MoveReply{2.5, {}}),
        toMessage(SetProperty{QStringLiteral("camera"), QStringLiteral("spot_sigma"), 8.0}),
        toMessage(SetReply{{}, QStringLiteral("camera: property 'width' is read-only")}),
        toMessage(Monitor{{{QStringLiteral("motor"), 1.5}}, {{QStringLiteral("camera"), QVariantMap{{QStringLiteral("sensor_temp"), -20.0}}}}}),
        toMessage(Heartbeat{}),
        toMessage(StoreOpen{7, layout->toCbor(), QStringLiteral("/tmp")}),
        toMessage(StoreLog{1700000000000, 2, QStringLiteral("line")}),
        toMessage(StoreFinish{model::RunStatus::Completed, {}, devices}),
        toMessage(StoreSeal{7, QStringLiteral("/tmp/x.h5.part"), model::RunStatus::Failed, QStringLiteral("storage worker killed")}),
        toMessage(StoreStatus{StoreStatus::Op::Finished, 7, 5, 1e6, 1 << 30, {}, QStringLiteral("/tmp/x.h5"), 4}),
    };
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) return 2;
    const QString dir = QString::fromLocal8Bit(argv[1]);
    for (const char* sub : {"frames", "message", "result"}) QDir().mkpath(dir + QLatin1Char('/') + QLatin1String(sub));
    QByteArray all;
    int i = 0;
    for (const Message& m : messages()) {
        const QByteArray frame = encodeFrame(m);
        const QString name = QStringLiteral("%1-%2").arg(i++, 2, 10, QLatin1Char('0')).arg(QLatin1String(messageTypeName(m.type)));
        write(dir + QStringLiteral("/message/") + name, frame.mid(4));
        write(dir + QStringLiteral("/frames/") + name, QByteArray(1, char(0x3e)) + frame);
        all += frame;
    }
    const QByteArray result = resultBody();
    write(dir + QStringLiteral("/result/result"), result);
    write(dir + QStringLiteral("/message/result"), result);
    write(dir + QStringLiteral("/frames/result-lazy"), QByteArray(1, char(0x01)) + frameOfBody(result));
    write(dir + QStringLiteral("/frames/all"), QByteArray(1, char(0x10)) + all + frameOfBody(result));
    return 0;
}
