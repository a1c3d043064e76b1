#include "core/protocol/Messages.h"

#include <QCborArray>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

using namespace acquila::util;
using namespace acquila::model;
using namespace acquila::protocol;

namespace {
DeviceDescription sampleDevice() {
    DeviceDescription d;
    d.name = QStringLiteral("stage");
    d.driver = QStringLiteral("sim.motor");
    d.kind = DeviceKind::Actuator;
    d.concurrency = Concurrency::Exclusive;
    d.axes.push_back({QStringLiteral("stage.x"), QStringLiteral("mm"), -10, 10});
    d.positions = {1.5};
    d.values.insert(QStringLiteral("velocity"), 10.0);
    return d;
}

LabConfig sampleLab() {
    LabConfig lab;
    lab.seed = 7;
    lab.devices.push_back({QStringLiteral("stage"), QStringLiteral("sim.motor"), {{QStringLiteral("exclusive"), true}}});
    return lab;
}

const QString kPlan = QStringLiteral(R"({"name":"line","axes":[{"device":"stage.x","start":0,"stop":1,"steps":3}]})");

Message throughFrames(const Message& m) {
    FrameDecoder decoder;
    EXPECT_TRUE(decoder.feed(encodeFrame(m))) << decoder.error().toStdString();
    if (!decoder.hasMessage()) {
        ADD_FAILURE() << "no message decoded";
        return {};
    }
    return decoder.take();
}

std::set<MessageType> g_covered;

template <typename T>
void expectRoundTrip(const T& value, quint64 id) {
    SCOPED_TRACE(messageTypeName(T::kType));
    const Message out = throughFrames(toMessage(value, id));
    EXPECT_EQ(out.type, T::kType);
    EXPECT_EQ(out.id, id);
    const auto back = T::decode(out);
    ASSERT_TRUE(back.ok()) << back.error().toStdString();
    EXPECT_TRUE(*back == value);
    g_covered.insert(T::kType);
}
}  // namespace

TEST(Messages, EveryMessageRoundTripsThroughFrames) {
    expectRoundTrip(Hello{1, QStringLiteral("secret"), 4242, 3, WorkerRole::Storage}, 0);
    expectRoundTrip(Configure{sampleLab(), true, 0.25, QStringLiteral("/data"), {}}, 1);
    expectRoundTrip(Configure{sampleLab(), false, 0.5, QStringLiteral("/data"), {QStringLiteral("cam")}}, 1);
    expectRoundTrip(Describe{{sampleDevice()}, {QStringLiteral("device 'cam' could not be opened")}}, 1);
    expectRoundTrip(OpenRun{7, kPlan, {0.5, -1.25}}, 2);
    expectRoundTrip(OpenReply{7, QStringLiteral("axis 'y' is not available")}, 2);
    expectRoundTrip(CloseRun{7}, 3);
    expectRoundTrip(CloseReply{7, QStringLiteral("could not restore stage.velocity")}, 3);
    expectRoundTrip(JobRequest{7, 12, 100, 25}, 12);
    expectRoundTrip(Cancel{CancelLevel::Abort}, 4);
    expectRoundTrip(ErrorReport{7, 12, 103, QStringLiteral("cam"), QStringLiteral("read"), QStringLiteral("timeout")}, 12);
    expectRoundTrip(LogLine{4, QStringLiteral("something broke")}, 0);
    expectRoundTrip(MoveAxis{QStringLiteral("stage.x"), -2.5}, 5);
    expectRoundTrip(MoveReply{12.5, {}}, 5);
    expectRoundTrip(MoveReply{{}, QStringLiteral("motor: 1000 is outside the limits")}, 5);
    expectRoundTrip(SetProperty{QStringLiteral("camera"), QStringLiteral("spot_sigma"), 8.5}, 11);
    expectRoundTrip(SetProperty{QStringLiteral("fault"), QStringLiteral("at_point"), qlonglong(3)}, 11);
    expectRoundTrip(SetProperty{QStringLiteral("fault"), QStringLiteral("mode"), QStringLiteral("slow")}, 11);
    expectRoundTrip(SetProperty{QStringLiteral("cam"), QStringLiteral("cooler"), true}, 11);
    expectRoundTrip(SetReply{QStringLiteral("slow"), {}}, 11);
    expectRoundTrip(SetReply{{}, QStringLiteral("fault: property 'mode' expects one of none, crash")}, 11);
    expectRoundTrip(Monitor{{{QStringLiteral("motor"), 1.5}, {QStringLiteral("stage.x"), -3}},
                            {{QStringLiteral("camera"), QVariantMap{{QStringLiteral("sensor_temp"), -19.998}}}}},
                    0);
    expectRoundTrip(Monitor{}, 0);
    expectRoundTrip(Heartbeat{}, 0);
    expectRoundTrip(Shutdown{}, 0);
    QCborMap layout;
    layout.insert(QLatin1String("title"), QStringLiteral("line"));
    expectRoundTrip(StoreOpen{7, layout, QStringLiteral("/data/run")}, 6);
    expectRoundTrip(StoreLog{1700000000456, 3, QStringLiteral("worker 1: slow")}, 7);
    expectRoundTrip(StoreFlush{}, 8);
    expectRoundTrip(StoreFinish{RunStatus::Stopped, QStringLiteral("stopped by the user"), {sampleDevice()}}, 9);
    expectRoundTrip(StoreStatus{StoreStatus::Op::Finished, 7, 40, 1024.5, 1ll << 33, QStringLiteral("disk full"),
                                QStringLiteral("/data/run.h5"), 100, 1ll << 40},
                    0);
    expectRoundTrip(StoreStatus{StoreStatus::Op::Progress, 0, 0, 0, -1, {}, {}, std::nullopt}, 0);
    // Every message type has its struct, except results (ResultFrame.h) and the unused `progress`.
    for (int t = 0; t <= static_cast<int>(MessageType::Monitor); ++t) {
        const auto type = static_cast<MessageType>(t);
        if (type == MessageType::Result || type == MessageType::Progress) continue;
        EXPECT_TRUE(g_covered.count(type)) << messageTypeName(type);
    }
}

TEST(Messages, StoreCommandsDecodeByOp) {
    const StoreOpen open{7, QCborMap{{QStringLiteral("title"), QStringLiteral("t")}}, {}};
    const StoreLog log{9, 5, QStringLiteral("x")};
    const StoreFinish finish{RunStatus::Failed, QStringLiteral("storage: disk full"), {}};
    auto o = decodeStoreCommand(toMessage(open));
    auto l = decodeStoreCommand(toMessage(log));
    auto f = decodeStoreCommand(toMessage(StoreFlush{}));
    auto e = decodeStoreCommand(toMessage(finish));
    ASSERT_TRUE(o && l && f && e);
    ASSERT_TRUE(std::holds_alternative<StoreOpen>(*o));
    EXPECT_TRUE(std::get<StoreOpen>(*o) == open);
    ASSERT_TRUE(std::holds_alternative<StoreLog>(*l));
    EXPECT_TRUE(std::get<StoreLog>(*l) == log);
    EXPECT_TRUE(std::holds_alternative<StoreFlush>(*f));
    ASSERT_TRUE(std::holds_alternative<StoreFinish>(*e));
    EXPECT_TRUE(std::get<StoreFinish>(*e) == finish);
    const StoreSeal seal{7, QStringLiteral("/data/run.h5.part"), RunStatus::Failed, QStringLiteral("storage worker killed by signal 9")};
    auto s = decodeStoreCommand(toMessage(seal));
    ASSERT_TRUE(s && std::holds_alternative<StoreSeal>(*s));
    EXPECT_TRUE(std::get<StoreSeal>(*s) == seal);

    Message bad = toMessage(StoreFlush{});
    bad.payload.insert(QLatin1String("op"), QStringLiteral("explode"));
    auto r = decodeStoreCommand(bad);
    ASSERT_FALSE(r);
    EXPECT_TRUE(r.error().contains(QLatin1String("'op'"))) << r.error().toStdString();
    EXPECT_FALSE(decodeStoreCommand(toMessage(Heartbeat{})));
}

TEST(Messages, OptionalFieldsAreAbsentWhenEmpty) {
    const QCborMap open = StoreOpen{7, {}, {}}.encode();
    EXPECT_FALSE(open.contains(QLatin1String("directory")));
    EXPECT_FALSE((OpenReply{7, {}}.encode().contains(QLatin1String("error"))));
    const QCborMap status = StoreStatus{}.encode();
    for (const char* key : {"error", "path", "points"}) EXPECT_FALSE(status.contains(QLatin1String(key))) << key;
    EXPECT_TRUE(StoreStatus{}.encode().contains(QLatin1String("free_bytes")));
}

TEST(Messages, PayloadlessMessagesCheckTheirType) {
    EXPECT_TRUE(Heartbeat::decode(Message{MessageType::Heartbeat, 0, {}}));
    EXPECT_TRUE(Shutdown::decode(Message{MessageType::Shutdown, 0, {}}));
    const auto h = Heartbeat::decode(Message{MessageType::Shutdown, 0, {}});
    const auto s = Shutdown::decode(Message{MessageType::Heartbeat, 0, {}});
    ASSERT_FALSE(h);
    ASSERT_FALSE(s);
    EXPECT_EQ(h.error(), QStringLiteral("heartbeat: expected a 'heartbeat' message, got 'shutdown'"));
    EXPECT_EQ(s.error(), QStringLiteral("shutdown: expected a 'shutdown' message, got 'heartbeat'"));
}

TEST(Messages, ErrorsReadAsSentences) {
    auto text = [](auto r) { return r ? QString() : r.error(); };
    EXPECT_EQ(text(JobRequest::decode(toMessage(JobRequest{7, 12, 0, -1}))), QStringLiteral("job: field 'count' must not be negative"));
    EXPECT_EQ(text(OpenRun::decode(toMessage(OpenRun{0, kPlan, {}}))), QStringLiteral("open: field 'run' must be positive"));
    EXPECT_EQ(text(Cancel::decode(Message{MessageType::Cancel, 0, {}})), QStringLiteral("cancel: missing field 'level'"));
    Message log = toMessage(StoreLog{1, 2, QStringLiteral("x")});
    log.payload.insert(QLatin1String("level"), QStringLiteral("loud"));
    EXPECT_EQ(text(StoreLog::decode(log)),
              QStringLiteral("store log: field 'level' must be one of trace, debug, info, warning, error, critical"));
    Message open = toMessage(OpenRun{7, kPlan, {}});
    open.payload.insert(QLatin1String("origin"), QCborArray{1.0, QStringLiteral("x")});
    EXPECT_EQ(text(OpenRun::decode(open)), QStringLiteral("open: field 'origin' item 1 must be a number"));
}

TEST(Messages, CancelLevelsHaveNames) {
    EXPECT_STREQ(cancelLevelName(CancelLevel::None), "none");
    EXPECT_STREQ(cancelLevelName(CancelLevel::Stop), "stop");
    EXPECT_STREQ(cancelLevelName(CancelLevel::Abort), "abort");
    EXPECT_EQ(Cancel{CancelLevel::Stop}.encode().value(QLatin1String("level")).toInteger(), 1);
}

// ---- Decoding the wire form: fields as today's senders write them, and every way to get one wrong.

namespace {
/** Decodes a message with struct T and encodes it again. */
using Codec = Result<QCborMap> (*)(const Message&);
template <typename T>
Result<QCborMap> reencode(const Message& m) {
    auto v = T::decode(m);
    if (!v) return Result<QCborMap>::failure(v.error());
    return v->encode();
}

struct Case {
    const char* context;  // how errors name the message
    Codec codec;
    Message wire;             // as the senders build it today
    QStringList optional;     // fields that may be absent
    const char* field;        // for the wrong-type and out-of-range checks
    QCborValue wrongType;
    QCborValue outOfRange;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.context; }

QCborMap wire(std::initializer_list<std::pair<const char*, QCborValue>> fields) {
    QCborMap m;
    for (const auto& [k, v] : fields) m.insert(QLatin1String(k), v);
    return m;
}

QCborArray devicesWire() { return QCborArray{sampleDevice().toCbor()}; }

std::vector<Case> cases() {
    const QCborMap badDevice = wire({{"kind", QStringLiteral("teapot")}});
    return {
        {"hello", reencode<Hello>,
         {MessageType::Hello, 0, wire({{"version", 1}, {"token", QStringLiteral("abc")}, {"pid", 4242}, {"worker", 3}, {"role", QStringLiteral("storage")}})},
         {}, "worker", QStringLiteral("three"), -1},
        {"configure", reencode<Configure>,
         {MessageType::Configure, 1, wire({{"lab", sampleLab().toCbor()}, {"exclusive", true}, {"flush_interval_s", 0.25}, {"data_directory", QStringLiteral("/data")}})},
         {}, "flush_interval_s", QStringLiteral("fast"), -1.0},
        {"describe", reencode<Describe>,
         {MessageType::Describe, 1, wire({{"devices", devicesWire()}, {"errors", QCborArray{QStringLiteral("cam: busy")}}})},
         {QStringLiteral("errors")}, "devices", 5, QCborArray{badDevice}},
        {"open", reencode<OpenRun>,
         {MessageType::Open, 2, wire({{"run", 7}, {"plan", kPlan}, {"origin", QCborArray{0.5, -1.0}}})},
         {}, "run", QStringLiteral("7"), 0},
        {"open reply", reencode<OpenReply>,
         {MessageType::Open, 2, wire({{"run", 7}, {"error", QStringLiteral("no such axis")}})},
         {QStringLiteral("error")}, "run", 1.5, -1},
        {"close", reencode<CloseRun>, {MessageType::Close, 3, wire({{"run", 7}})}, {}, "run", true, 0},
        {"close reply", reencode<CloseReply>,
         {MessageType::Close, 3, wire({{"run", 7}, {"error", QStringLiteral("could not restore")}})},
         {QStringLiteral("error")}, "run", QStringLiteral("7"), -3},
        {"job", reencode<JobRequest>,
         {MessageType::Job, 12, wire({{"run", 7}, {"job", 12}, {"first", 100}, {"count", 25}})},
         {}, "count", QStringLiteral("25"), -1},
        {"cancel", reencode<Cancel>, {MessageType::Cancel, 4, wire({{"level", 2}})}, {}, "level", QStringLiteral("abort"), 3},
        {"error", reencode<ErrorReport>,
         {MessageType::Error, 12, wire({{"run", 7}, {"job", 12}, {"point", 103}, {"device", QStringLiteral("cam")}, {"op", QStringLiteral("read")}, {"message", QStringLiteral("timeout")}})},
         {}, "job", QStringLiteral("12"), -1},
        {"log", reencode<LogLine>, {MessageType::Log, 0, wire({{"level", 4}, {"text", QStringLiteral("oops")}})}, {}, "level", QStringLiteral("error"), 7},
        {"move", reencode<MoveAxis>,
         {MessageType::Move, 5, wire({{"axis", QStringLiteral("stage.x")}, {"position", 2.5}})},
         {}, "position", QStringLiteral("far"), std::nan("")},
        {"move reply", reencode<MoveReply>,
         {MessageType::Move, 5, wire({{"value", 2.5}, {"error", QStringLiteral("motor: stopped")}})},
         {QStringLiteral("value"), QStringLiteral("error")}, "error", 3, QCborMap()},
        {"set", reencode<SetProperty>,
         {MessageType::Set, 11, wire({{"device", QStringLiteral("camera")}, {"property", QStringLiteral("spot_sigma")}, {"value", 8.5}})},
         {}, "value", QCborArray{1}, QCborMap()},
        {"set reply", reencode<SetReply>,
         {MessageType::Set, 11, wire({{"value", QStringLiteral("slow")}, {"error", QStringLiteral("fault: read-only")}})},
         {QStringLiteral("value"), QStringLiteral("error")}, "value", QCborMap(), QCborArray{}},
        {"monitor", reencode<Monitor>,
         {MessageType::Monitor, 0, wire({{"positions", wire({{"motor", 1.5}})},
                                         {"properties", wire({{"camera", wire({{"sensor_temp", -19.998}})}})}})},
         {}, "positions", QCborArray{}, wire({{"motor", QStringLiteral("far")}})},
        {"store open", reencode<StoreOpen>,
         {MessageType::Store, 6, wire({{"op", QStringLiteral("open")}, {"run", 7}, {"directory", QStringLiteral("/data/run")}, {"layout", wire({{"title", QStringLiteral("t")}})}})},
         {QStringLiteral("directory")}, "run", QStringLiteral("7"), 0},
        {"store log", reencode<StoreLog>,
         {MessageType::Store, 7, wire({{"op", QStringLiteral("log")}, {"time_ms", 1700000000456ll}, {"level", QStringLiteral("warning")}, {"text", QStringLiteral("slow")}})},
         {}, "level", 3, QStringLiteral("loud")},
        {"store flush", reencode<StoreFlush>, {MessageType::Store, 8, wire({{"op", QStringLiteral("flush")}})}, {}, "op", 1, QStringLiteral("open")},
        {"store finish", reencode<StoreFinish>,
         {MessageType::Store, 9, wire({{"op", QStringLiteral("finish")}, {"status", 3}, {"reason", QStringLiteral("aborted by the user")}, {"devices", devicesWire()}})},
         {}, "status", QStringLiteral("aborted"), 9},
        {"store seal", reencode<StoreSeal>,
         {MessageType::Store, 10, wire({{"op", QStringLiteral("seal")}, {"run", 7}, {"path", QStringLiteral("/data/run.h5.part")}, {"status", 4},
                                        {"reason", QStringLiteral("storage worker killed by signal 9")}})},
         {}, "path", 9, QStringLiteral("/etc/passwd")},
        {"store status", reencode<StoreStatus>,
         {MessageType::StoreStatus, 0, wire({{"op", QStringLiteral("finished")}, {"run", 7}, {"processed", 40}, {"bytes_per_s", 1024.5}, {"free_bytes", 1ll << 33},
                                             {"error", QStringLiteral("disk full")}, {"path", QStringLiteral("/data/run.h5")}, {"points", 100}})},
         {QStringLiteral("error"), QStringLiteral("path"), QStringLiteral("points")}, "processed", QStringLiteral("40"), -1},
    };
}

/** Same keys and values, in any order. */
bool sameFields(const QCborMap& a, const QCborMap& b) {
    if (a.size() != b.size()) return false;
    for (auto it = a.cbegin(); it != a.cend(); ++it)
        if (!b.contains(it.key()) || !(b.value(it.key()) == it.value())) return false;
    return true;
}

class MessageDecode : public ::testing::TestWithParam<Case> {
protected:
    /** The decoder's error for the wire form with `field` set to `value` (or removed when undefined). */
    QString errorWith(const char* field, const QCborValue& value) const {
        Message m = GetParam().wire;
        if (value.isUndefined()) m.payload.remove(QLatin1String(field));
        else m.payload.insert(QLatin1String(field), value);
        auto r = GetParam().codec(m);
        return r ? QString() : r.error();
    }
    void expectNames(const QString& error, const char* field) const {
        EXPECT_TRUE(error.startsWith(QLatin1String(GetParam().context) + QLatin1Char(':'))) << error.toStdString();
        EXPECT_TRUE(error.contains(QStringLiteral("'%1'").arg(QLatin1String(field)))) << error.toStdString();
    }
};
}  // namespace

TEST_P(MessageDecode, WireFormIsUnchanged) {
    auto r = GetParam().codec(GetParam().wire);
    ASSERT_TRUE(r) << r.error().toStdString();
    EXPECT_TRUE(sameFields(*r, GetParam().wire.payload)) << QCborValue(*r).toDiagnosticNotation().toStdString();
}

TEST_P(MessageDecode, EveryRequiredFieldIsChecked) {
    for (const QCborValue& k : GetParam().wire.payload.keys()) {
        const QString key = k.toString();
        const QString error = errorWith(key.toLatin1().constData(), QCborValue());
        if (GetParam().optional.contains(key)) {
            EXPECT_TRUE(error.isEmpty()) << key.toStdString() << ": " << error.toStdString();
        } else {
            expectNames(error, key.toLatin1().constData());
            EXPECT_TRUE(error.contains(QLatin1String("missing"))) << error.toStdString();
        }
    }
}

TEST_P(MessageDecode, WrongTypeNamesTheField) {
    const QString error = errorWith(GetParam().field, GetParam().wrongType);
    expectNames(error, GetParam().field);
    EXPECT_TRUE(error.contains(QLatin1String("must be"))) << error.toStdString();
}

TEST_P(MessageDecode, OutOfRangeNamesTheField) {
    const QString error = errorWith(GetParam().field, GetParam().outOfRange);
    expectNames(error, GetParam().field);
}

TEST_P(MessageDecode, AnotherMessageTypeIsRefused) {
    Message m = GetParam().wire;
    m.type = MessageType::Result;
    auto r = GetParam().codec(m);
    ASSERT_FALSE(r);
    EXPECT_TRUE(r.error().contains(QLatin1String("expected a"))) << r.error().toStdString();
}

INSTANTIATE_TEST_SUITE_P(AllMessages, MessageDecode, ::testing::ValuesIn(cases()), [](const auto& info) {
    std::string name = info.param.context;
    std::replace(name.begin(), name.end(), ' ', '_');
    return name;
});

TEST(Messages, AJobRangeThatOverflowsIsRejected) {
    const qint64 max = std::numeric_limits<qint64>::max();
    const Message m{MessageType::Job, 1, wire({{"run", 7}, {"job", 1}, {"first", max - 10}, {"count", 20}})};
    const auto r = JobRequest::decode(m);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), QStringLiteral("job: field 'count' overflows when added to 'first'"));
    EXPECT_TRUE(JobRequest::decode({MessageType::Job, 1, wire({{"run", 7}, {"job", 1}, {"first", max - 20}, {"count", 20}})}).ok());
}

TEST(Messages, AnOutputTooLargeForAFrameIsRejected) {
    DeviceDescription d = sampleDevice();
    OutputDecl o;
    o.name = QStringLiteral("stage.image");
    o.dtype = DType::UInt8;
    o.shape = {1 << 20, 1 << 20, 1 << 20, 1 << 20};  // 2^80 elements: wraps to 0 in 64 bits
    d.outputs.push_back(o);
    const auto r = Describe::decode({MessageType::Describe, 1, wire({{"devices", QCborArray{d.toCbor()}}})});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), QStringLiteral("describe: field 'devices' item 0: output 'stage.image' has more than 268435456 elements per point"));
}

TEST(Messages, TheRunOfAMessageThatDoesNotDecodeIsReadSafely) {
    const auto runOf = [](const QCborValue& v) { return runIdOf({MessageType::Open, 1, wire({{"run", v}})}); };
    EXPECT_EQ(runOf(7), 7u);
    EXPECT_EQ(runOf(1e300), 0u);  // converting it to an integer would be undefined behaviour
    EXPECT_EQ(runOf(-1e300), 0u);
    EXPECT_EQ(runOf(std::nan("")), 0u);
    EXPECT_EQ(runOf(-3), 0u);
    EXPECT_EQ(runOf(QStringLiteral("7")), 0u);
    EXPECT_EQ(runIdOf({MessageType::Open, 1, {}}), 0u);
}
