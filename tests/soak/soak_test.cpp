// `acquila soak` for 60 s (ACQUILA_SOAK_SECONDS overrides): scans back to back with a run file
// each, sampled once a second. After a 15 s warm-up the app and every worker must not grow:
// peak RSS of each process in the second half within 10 % of the first half, peak descriptors
// not higher, the same child processes throughout, every run completed.
#include "support/RunProcess.h"
#include "support/TestSupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <gtest/gtest.h>
#include <set>

using namespace acquila::test;

namespace {

int soakSeconds() {
    const int s = qEnvironmentVariableIntValue("ACQUILA_SOAK_SECONDS");
    return s > 0 ? s : 60;
}

/** Child pids of each sample taken after `warmup` seconds. */
std::vector<std::set<qint64>> childrenAfter(const QJsonArray& samples, double warmup) {
    std::vector<std::set<qint64>> out;
    for (const auto& s : samples) {
        if (s[QStringLiteral("t")].toDouble() < warmup) continue;
        std::set<qint64> pids;
        const QJsonArray procs = s[QStringLiteral("processes")].toArray();
        for (qsizetype i = 1; i < procs.size(); ++i) pids.insert(procs[i][QStringLiteral("pid")].toInteger());
        out.push_back(pids);
    }
    return out;
}

}  // namespace

TEST(Soak, ScansBackToBackDoNotGrowMemoryDescriptorsOrProcesses) {
    ensureCoreApplication();
    const int seconds = soakSeconds();
    const ProcessResult r = runProcess(QStringLiteral(ACQUILA_APP_EXE),
                                       {QStringLiteral("soak"), QStringLiteral("--seconds"), QString::number(seconds),
                                        QStringLiteral("--workers"), QStringLiteral("2"), QStringLiteral("--max-rss-growth"), QStringLiteral("10")},
                                       std::chrono::seconds(seconds + 120));
    ASSERT_TRUE(r.finished) << qPrintable(r.err);
    QJsonParseError error;
    const QJsonObject report = QJsonDocument::fromJson(r.out.toUtf8(), &error).object();
    ASSERT_EQ(error.error, QJsonParseError::NoError) << qPrintable(error.errorString()) << "\n" << qPrintable(r.output());
    EXPECT_EQ(r.exitCode, 0) << qPrintable(r.err);
    EXPECT_TRUE(report[QStringLiteral("problems")].toArray().isEmpty()) << qPrintable(r.err);

    const QJsonObject runs = report[QStringLiteral("runs")].toObject();
    EXPECT_GE(runs[QStringLiteral("completed")].toInt(), 3) << "too few runs to soak anything";
    EXPECT_EQ(runs.size(), 1) << "every run must complete";

    // The app, two device workers and the storage worker, each compared half against half.
    const QJsonArray procs = report[QStringLiteral("processes")].toArray();
    ASSERT_EQ(procs.size(), 4);
    for (const auto& p : procs) {
        const QString who = p[QStringLiteral("name")].toString() + QStringLiteral(" ") + QString::number(p[QStringLiteral("pid")].toInteger());
        EXPECT_LT(p[QStringLiteral("rss_growth_percent")].toDouble(), 10.0) << qPrintable(who);
        EXPECT_LE(p[QStringLiteral("peak_fds_second_half")].toInt(), p[QStringLiteral("peak_fds_first_half")].toInt()) << qPrintable(who);
    }
    const auto children = childrenAfter(report[QStringLiteral("samples")].toArray(), report[QStringLiteral("warmup_s")].toDouble());
    ASSERT_GE(children.size(), 4u);
    EXPECT_EQ(children.front().size(), 3u);
    for (const auto& c : children) EXPECT_EQ(c, children.front()) << "a worker was respawned or a child appeared";
}
