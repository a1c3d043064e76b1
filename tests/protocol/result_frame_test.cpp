#include "core/protocol/Frame.h"
#include "core/protocol/ResultFrame.h"

#include <QRandomGenerator>
#include <QCborArray>
#include <gtest/gtest.h>

#include <limits>

using namespace acquila::model;
using namespace acquila::protocol;

namespace {
struct Sample {
    std::vector<Channel> channels;
    std::vector<QByteArray> data;
};

Sample sample(qint64 count) {
    Sample s;
    s.channels = {{QStringLiteral("motor"), DType::Float64, {}, {}},
                  {QStringLiteral("timestamp"), DType::Float64, {}, {}},
                  {QStringLiteral("camera"), DType::UInt16, {3, 4}, {}}};
    for (const Channel& c : s.channels) {
        QByteArray d(static_cast<qsizetype>(count * c.bytesPerPoint()), Qt::Uninitialized);
        for (qsizetype i = 0; i < d.size(); ++i) d[i] = static_cast<char>(i * 7 + c.name.size());
        s.data.push_back(d);
    }
    return s;
}

Message decodeOne(const QByteArray& frame, bool lazy) {
    FrameDecoder d;
    d.setLazyResults(lazy);
    EXPECT_TRUE(d.feed(frame)) << d.error().toStdString();
    EXPECT_TRUE(d.hasMessage());
    return d.hasMessage() ? d.take() : Message{};
}
}  // namespace

TEST(ResultFrame, StreamingEncodingParsesInPlaceWithDataViews) {
    const Sample s = sample(5);
    const QByteArray frame = encodeResultFrame(9, 100, 5, s.channels, s.data, {42, true, 0.25});
    const Message m = decodeOne(frame, true);
    EXPECT_EQ(m.type, MessageType::Result);
    EXPECT_EQ(m.id, 42u);
    ASSERT_FALSE(m.body.isEmpty());
    EXPECT_TRUE(m.payload.isEmpty());
    ResultMeta meta;
    auto b = parseResultBody(m.body, &meta);
    ASSERT_TRUE(b.ok()) << b.error().toStdString();
    EXPECT_EQ(b->runId, 9u);
    EXPECT_EQ(b->first, 100);
    EXPECT_EQ(b->count, 5);
    EXPECT_EQ(meta.job, 42u);
    EXPECT_TRUE(meta.final);
    EXPECT_DOUBLE_EQ(meta.seconds, 0.25);
    ASSERT_EQ(b->channels.size(), 3u);
    for (size_t c = 0; c < 3; ++c) {
        EXPECT_EQ(b->channels[c].name, s.channels[c].name);
        EXPECT_EQ(b->channels[c].pointShape, s.channels[c].pointShape);
        EXPECT_EQ(b->channels[c].data, s.data[c]);
        // In place: the data lives inside the batch's own copy of the body.
        EXPECT_GE(b->channels[c].data.constData(), b->backing.constData());
        EXPECT_LE(b->channels[c].data.constData() + b->channels[c].data.size(), b->backing.constData() + b->backing.size());
    }
}

/** The result wire format spelled out with a generic CBOR tree, as any other CBOR library would write it. */
QCborMap genericResult(quint64 run, qint64 first, qint64 count, const std::vector<Channel>& channels, const std::vector<QByteArray>& data) {
    QCborMap m;
    m.insert(QLatin1String("run"), static_cast<qint64>(run));
    m.insert(QLatin1String("first"), first);
    m.insert(QLatin1String("count"), count);
    QCborArray chans;
    for (size_t i = 0; i < channels.size(); ++i) {
        QCborMap cm;
        cm.insert(QLatin1String("name"), channels[i].name);
        cm.insert(QLatin1String("dtype"), QLatin1String(dtypeName(channels[i].dtype)));
        QCborArray shape;
        for (int64_t d : channels[i].pointShape) shape.append(static_cast<qint64>(d));
        cm.insert(QLatin1String("shape"), shape);
        cm.insert(QLatin1String("data"), data[i]);
        chans.append(cm);
    }
    m.insert(QLatin1String("channels"), chans);
    return m;
}

TEST(ResultFrame, SameWireFormatAsTheGenericEncoding) {
    const Sample s = sample(2);
    // Streaming encoder -> generic decoder.
    const Message eager = decodeOne(encodeResultFrame(3, 0, 2, s.channels, s.data, {7, false, 1.0}), false);
    const QCborArray viaTree = eager.payload.value(QLatin1String("channels")).toArray();
    ASSERT_EQ(viaTree.size(), 3);
    EXPECT_EQ(viaTree[2].toMap().value(QLatin1String("data")).toByteArray(), s.data[2]);
    EXPECT_EQ(eager.payload.value(QLatin1String("job")).toInteger(), 7);
    for (const char* key : {"run", "first", "count"})
        EXPECT_EQ(eager.payload.value(QLatin1String(key)), genericResult(3, 0, 2, s.channels, s.data).value(QLatin1String(key))) << key;
    // Generic encoder -> in-place parser.
    QCborMap p = genericResult(3, 0, 2, s.channels, s.data);
    p.insert(QLatin1String("job"), 7);
    p.insert(QLatin1String("final"), true);
    const Message lazy = decodeOne(encodeFrame(Message{MessageType::Result, 7, p}), true);
    ResultMeta meta;
    auto back = parseResultBody(lazy.body, &meta);
    ASSERT_TRUE(back.ok()) << back.error().toStdString();
    EXPECT_EQ(back->channels[0].data, s.data[0]);
    EXPECT_TRUE(meta.final);
}

TEST(ResultFrame, WrongSizesAndHostileBodiesAreRejectedWithoutCrashing) {
    Sample s = sample(4);
    s.data[1].chop(8);
    const Message m = decodeOne(encodeResultFrame(1, 0, 4, s.channels, s.data, {1, true, 0}), true);
    ResultMeta meta;
    auto bad = parseResultBody(m.body, &meta);
    ASSERT_FALSE(bad.ok());
    EXPECT_TRUE(bad.error().contains(QLatin1String("timestamp"))) << bad.error().toStdString();

    const Sample good = sample(3);
    const QByteArray frame = encodeResultFrame(1, 0, 3, good.channels, good.data, {1, true, 0});
    QRandomGenerator rng(5);
    int rejected = 0;
    for (int i = 0; i < 4000; ++i) {
        QByteArray body = frame.mid(4);
        for (int k = 0; k < 1 + static_cast<int>(rng.bounded(4)); ++k)
            body[static_cast<qsizetype>(rng.bounded(static_cast<quint32>(body.size())))] = static_cast<char>(rng.bounded(256));
        if (rng.bounded(4) == 0) body.truncate(static_cast<qsizetype>(rng.bounded(static_cast<quint32>(body.size()))));
        Message out;
        QString err;
        if (!decodeMessageBody(body, &out, &err, true)) {
            ++rejected;
            continue;
        }
        if (!out.body.isEmpty()) rejected += !parseResultBody(out.body, &meta).ok();
    }
    EXPECT_GT(rejected, 100);
}

namespace {
/** The parse error of a result frame encoded from these parts, or empty when it parses. */
QString parseError(qint64 first, qint64 count, const std::vector<Channel>& channels, const std::vector<QByteArray>& data, double seconds = 0) {
    const Message m = decodeOne(encodeResultFrame(1, first, count, channels, data, {1, true, seconds}), true);
    ResultMeta meta;
    auto b = parseResultBody(m.body, &meta);
    return b.ok() ? QString() : b.error();
}
}  // namespace

TEST(ResultFrame, AShapeWhoseSizeOverflowsIsRejected) {
    // 2^80 elements per point wrap to 0 in 64 bits: empty data must not pass for 10 such points.
    const qint64 big = 1 << 20;
    const std::vector<Channel> channels{{QStringLiteral("frame"), DType::UInt8, {big, big, big, big}, {}}};
    const QString error = parseError(0, 10, channels, {QByteArray()});
    EXPECT_EQ(error, QStringLiteral("result channel 'frame': field 'shape' gives more than 268435456 elements per point"));
    const std::vector<Channel> justOver{{QStringLiteral("frame"), DType::UInt8, {1 << 14, (1 << 14) + 1}, {}}};
    EXPECT_TRUE(parseError(0, 0, justOver, {QByteArray()}).contains(QLatin1String("'shape'")));
    EXPECT_EQ(pointElements({1 << 14, 1 << 14}), 1 << 28);
    EXPECT_EQ(pointElements({big, big, big, big}), -1);
    EXPECT_EQ(pointElements({0}), -1);
}

TEST(ResultFrame, PointsWithoutChannelsAreRejected) {
    EXPECT_EQ(parseError(0, 1'000'000'000'000, {}, {}), QStringLiteral("result: field 'channels' is empty for 1000000000000 points"));
    EXPECT_EQ(parseError(5, 0, {}, {}), QString());  // an empty final result of a job
}

TEST(ResultFrame, APointRangeThatOverflowsIsRejected) {
    const Sample s = sample(2);
    EXPECT_EQ(parseError(std::numeric_limits<qint64>::max() - 1, 2, s.channels, s.data),
              QStringLiteral("result: fields 'first' + 'count' overflow"));
    EXPECT_EQ(parseError(std::numeric_limits<qint64>::max() - 2, 2, s.channels, s.data), QString());
}

TEST(ResultFrame, SecondsMustBeAFiniteDuration) {
    const Sample s = sample(2);
    for (double bad : {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(), 1e300, -5.0, -1e-300})
        EXPECT_EQ(parseError(0, 2, s.channels, s.data, bad), QStringLiteral("result: field 'seconds' must be a number from 0 to 1e+09, or -1"))
            << bad;
    for (double good : {-1.0, 0.0, 1e-300, 0.25, 3600.0}) EXPECT_EQ(parseError(0, 2, s.channels, s.data, good), QString()) << good;
}
