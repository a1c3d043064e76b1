#include "core/model/DeviceDescription.h"
#include "core/model/ResultBatch.h"
#include "core/protocol/Frame.h"
#include "core/protocol/ResultFrame.h"

#include <QCborArray>
#include <QRandomGenerator>
#include <QtEndian>
#include <gtest/gtest.h>

using namespace acquila::model;
using namespace acquila::protocol;

namespace {
Message sample(MessageType t) {
    QCborMap p;
    p.insert(QLatin1String("n"), 42);
    p.insert(QLatin1String("s"), QStringLiteral("héllo"));
    p.insert(QLatin1String("b"), QByteArray("\x00\x01\x02", 3));
    p.insert(QLatin1String("a"), QCborArray{1.5, 2, QStringLiteral("x")});
    return Message{t, 0x1234567890ull, p};
}

std::vector<Message> decodeAll(const QByteArray& bytes, QString* error = nullptr) {
    FrameDecoder d;
    d.feed(bytes);
    std::vector<Message> out;
    while (d.hasMessage()) out.push_back(d.take());
    if (error) *error = d.error();
    return out;
}

QByteArray frameWithBody(const QByteArray& body) {
    QByteArray f(4, Qt::Uninitialized);
    qToLittleEndian<quint32>(static_cast<quint32>(body.size()), f.data());
    return f + body;
}
}  // namespace

TEST(Protocol, EveryMessageTypeRoundTrips) {
    for (int t = 0; t <= static_cast<int>(MessageType::Monitor); ++t) {
        const Message m = sample(static_cast<MessageType>(t));
        auto out = decodeAll(encodeFrame(m));
        ASSERT_EQ(out.size(), 1u) << messageTypeName(m.type);
        EXPECT_EQ(out[0].type, m.type);
        EXPECT_EQ(out[0].id, m.id);
        EXPECT_EQ(out[0].payload, m.payload) << messageTypeName(m.type);
    }
}

TEST(Protocol, FramesSplitAtEveryByteStillDecode) {
    QByteArray stream = encodeFrame(sample(MessageType::Job)) + encodeFrame(sample(MessageType::Result));
    FrameDecoder d;
    int got = 0;
    for (char c : stream) {
        ASSERT_TRUE(d.feed(&c, 1));
        while (d.hasMessage()) {
            d.take();
            ++got;
        }
    }
    EXPECT_EQ(got, 2);
    EXPECT_EQ(d.pendingBytes(), 0);
}

TEST(Protocol, TruncatedFrameWaitsWithoutMessageOrError) {
    const QByteArray f = encodeFrame(sample(MessageType::Open));
    FrameDecoder d;
    d.feed(f.left(f.size() - 3));
    EXPECT_FALSE(d.hasMessage());
    EXPECT_FALSE(d.failed());
    EXPECT_EQ(d.pendingBytes(), f.size() - 3);
}

TEST(Protocol, OversizedLengthIsRejected) {
    QByteArray f(4, Qt::Uninitialized);
    qToLittleEndian<quint32>(0xFFFFFFF0u, f.data());
    QString err;
    EXPECT_TRUE(decodeAll(f, &err).empty());
    EXPECT_TRUE(err.contains(QLatin1String("exceeds the limit"))) << err.toStdString();
}

TEST(Protocol, WrongFieldTypesAreProtocolErrors) {
    struct Case {
        QCborMap top;
        const char* expect;
    };
    QCborMap okPayload;
    std::vector<Case> cases;
    QCborMap m1;
    m1.insert(QLatin1String("t"), 7);
    m1.insert(QLatin1String("id"), 1);
    m1.insert(QLatin1String("p"), okPayload);
    cases.push_back({m1, "must be a string"});
    QCborMap m2;
    m2.insert(QLatin1String("t"), QStringLiteral("job"));
    m2.insert(QLatin1String("id"), -5);
    m2.insert(QLatin1String("p"), okPayload);
    cases.push_back({m2, "non-negative integer"});
    QCborMap m3;
    m3.insert(QLatin1String("t"), QStringLiteral("job"));
    m3.insert(QLatin1String("id"), 1);
    m3.insert(QLatin1String("p"), QStringLiteral("not a map"));
    cases.push_back({m3, "payload"});
    QCborMap m4;
    m4.insert(QLatin1String("t"), QStringLiteral("launch_missiles"));
    m4.insert(QLatin1String("id"), 1);
    m4.insert(QLatin1String("p"), okPayload);
    cases.push_back({m4, "unknown message type"});
    for (const auto& c : cases) {
        QString err;
        EXPECT_TRUE(decodeAll(frameWithBody(QCborValue(c.top).toCbor()), &err).empty());
        EXPECT_TRUE(err.contains(QLatin1String(c.expect))) << err.toStdString();
    }
    QString err;
    EXPECT_TRUE(decodeAll(frameWithBody(QCborValue(42).toCbor()), &err).empty());
    EXPECT_TRUE(err.contains(QLatin1String("not a CBOR map")));
    EXPECT_TRUE(decodeAll(frameWithBody(QByteArray("\xff\xff\xff", 3)), &err).empty());
    EXPECT_FALSE(err.isEmpty());
}

TEST(Protocol, RandomBytesNeverCrashTheDecoder) {
    QRandomGenerator rng(1234);
    int errors = 0;
    for (int i = 0; i < 2000; ++i) {
        QByteArray junk(static_cast<int>(rng.bounded(1, 512)), Qt::Uninitialized);
        for (auto& c : junk) c = static_cast<char>(rng.bounded(256));
        if (i % 2 && junk.size() >= 4) qToLittleEndian<quint32>(static_cast<quint32>(junk.size() - 4), junk.data());  // plausible length
        FrameDecoder d(1 << 20);
        d.feed(junk);
        while (d.hasMessage()) d.take();
        errors += d.failed();
    }
    EXPECT_GT(errors, 1000);  // almost everything is rejected, and nothing crashed
}

TEST(Protocol, MutatedValidFramesNeverCrash) {
    const QByteArray good = encodeFrame(sample(MessageType::Result));
    QRandomGenerator rng(99);
    for (int i = 0; i < 3000; ++i) {
        QByteArray f = good;
        for (int k = 0; k < 3; ++k) f[static_cast<int>(rng.bounded(4, f.size()))] = static_cast<char>(rng.bounded(256));
        FrameDecoder d;
        d.feed(f);
        while (d.hasMessage()) d.take();
    }
    SUCCEED();
}

TEST(Protocol, ResultBatchRoundTripAndSizeValidation) {
    std::vector<Channel> channels{{QStringLiteral("motor"), DType::Float64, {}, {}}, {QStringLiteral("camera"), DType::UInt16, {2, 3}, {}}};
    std::vector<double> xs{1.5, 2.5};
    std::vector<QByteArray> data{QByteArray(reinterpret_cast<const char*>(xs.data()), 16), QByteArray(2 * 6 * 2, '\x07')};
    auto parse = [](const QByteArray& frame) {
        FrameDecoder d;
        d.setLazyResults(true);
        d.feed(frame);
        ResultMeta meta;
        return parseResultBody(d.take().body, &meta);
    };
    auto back = parse(encodeResultFrame(3, 100, 2, channels, data, {1, true, 0}));
    ASSERT_TRUE(back.ok()) << back.error().toStdString();
    EXPECT_EQ(back->first, 100);
    EXPECT_EQ(back->count, 2);
    ASSERT_EQ(back->channels.size(), 2u);
    EXPECT_EQ(back->channels[0].at<double>(1), 2.5);
    EXPECT_EQ(back->channels[1].pointShape, (std::vector<int64_t>{2, 3}));

    data[1].chop(1);
    auto bad = parse(encodeResultFrame(3, 100, 2, channels, data, {1, true, 0}));
    ASSERT_FALSE(bad.ok());
    EXPECT_TRUE(bad.error().contains(QLatin1String("camera"))) << bad.error().toStdString();

    FrameDecoder eager;
    eager.feed(encodeResultFrame(3, 100, 2, channels, data, {1, true, 0}));
    Message hostile = eager.take();
    hostile.payload.insert(QLatin1String("count"), QStringLiteral("many"));
    EXPECT_FALSE(parse(encodeFrame(hostile)).ok());
}

TEST(Protocol, DeviceDescriptionRoundTripAndRejectsGarbage) {
    DeviceDescription d;
    d.name = QStringLiteral("stage");
    d.driver = QStringLiteral("sim.xy_stage");
    d.kind = DeviceKind::Actuator;
    d.concurrency = Concurrency::Exclusive;
    d.axes.push_back({QStringLiteral("stage.x"), QStringLiteral("mm"), -200, 200});
    d.positions = {1.25};
    PropertyDecl p;
    p.id = QStringLiteral("velocity");
    p.label = QStringLiteral("Velocity");
    p.unit = QStringLiteral("mm/s");
    p.min = 0;
    p.max = 1000;
    p.defaultValue = 10.0;
    d.properties.push_back(p);
    d.values.insert(QStringLiteral("velocity"), 10.0);
    d.outputs.push_back({QStringLiteral("img"), QStringLiteral("counts"), DType::UInt16, {4, 5}, {QStringLiteral("y"), QStringLiteral("x")}});
    auto back = DeviceDescription::fromCbor(d.toCbor());
    ASSERT_TRUE(back.ok()) << back.error().toStdString();
    EXPECT_EQ(back->name, d.name);
    EXPECT_EQ(back->concurrency, Concurrency::Exclusive);
    ASSERT_NE(back->findAxis(QStringLiteral("stage.x")), nullptr);
    EXPECT_EQ(back->findAxis(QStringLiteral("stage.x"))->max, 200);
    EXPECT_EQ(back->findOutput(QStringLiteral("img"))->elementsPerPoint(), 20);
    EXPECT_EQ(back->positions, d.positions);

    QCborMap bad = d.toCbor();
    bad.insert(QLatin1String("kind"), QStringLiteral("teapot"));
    EXPECT_FALSE(DeviceDescription::fromCbor(bad).ok());
    bad = d.toCbor();
    bad.remove(QLatin1String("name"));
    auto missing = DeviceDescription::fromCbor(bad);
    ASSERT_FALSE(missing.ok());
    EXPECT_TRUE(missing.error().contains(QLatin1String("name")));
}

TEST(Protocol, PropertyChecksNameTheProblem) {
    PropertyDecl p;
    p.id = QStringLiteral("exposure");
    p.unit = QStringLiteral("s");
    p.min = 0;
    p.max = 10;
    EXPECT_TRUE(p.check(5.0).isEmpty());
    EXPECT_TRUE(p.check(11.0).contains(QLatin1String("above the maximum 10 s")));
    EXPECT_TRUE(p.check(QStringLiteral("x")).contains(QLatin1String("expects a number")));
    PropertyDecl e;
    e.id = QStringLiteral("mode");
    e.type = PropertyType::Enum;
    e.allowed = {QStringLiteral("a"), QStringLiteral("b")};
    EXPECT_TRUE(e.check(QStringLiteral("b")).isEmpty());
    EXPECT_TRUE(e.check(QStringLiteral("c")).contains(QLatin1String("one of a, b")));
}

TEST(Protocol, ZeroCopyFeedingDecodesFramesSplitAnywhere) {
    const QByteArray stream = encodeFrame(sample(MessageType::Result)) + encodeFrame(sample(MessageType::Log)) + encodeFrame(sample(MessageType::Job));
    for (qsizetype chunk : {1, 7, 64, 100000}) {
        FrameDecoder d;
        std::vector<MessageType> got;
        for (qsizetype at = 0; at < stream.size(); at += chunk) {
            const qsizetype n = std::min(chunk, stream.size() - at);
            char* into = d.prepare(chunk);
            std::memcpy(into, stream.constData() + at, static_cast<size_t>(n));
            ASSERT_TRUE(d.commit(n));
            while (d.hasMessage()) got.push_back(d.take().type);
        }
        EXPECT_EQ(got, (std::vector<MessageType>{MessageType::Result, MessageType::Log, MessageType::Job})) << "chunk " << chunk;
        EXPECT_EQ(d.pendingBytes(), 0);
    }
}
