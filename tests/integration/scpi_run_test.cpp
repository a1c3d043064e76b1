// A plan that scans a SCPI power supply while reading a SCPI multimeter, run by `acquila run`
// with real workers, on the instrument simulator (tests/tools/scpi_sim.py) over TCP and over
// two pseudo-terminals. The file, read back by h5py, holds every reading and each
// instrument's *IDN?.
#include "support/RunProcess.h"
#include "support/ScpiSimulator.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <gtest/gtest.h>

using namespace acquila::test;

namespace {

/**
 * The example lab (resources/lab/scpi-tcp.json or scpi-serial.json) pointed at the simulator:
 * its port, or its two pseudo-terminals (psu on the first, dmm on the second).
 */
QString writeLab(const QTemporaryDir& dir, const QString& mode, const ScpiSimulator& sim) {
    const bool tcp = mode == QLatin1String("--tcp");
    QFile in(sourcePath(tcp ? QStringLiteral("resources/lab/scpi-tcp.json") : QStringLiteral("resources/lab/scpi-serial.json")));
    in.open(QIODevice::ReadOnly);
    QVariantMap lab = QJsonDocument::fromJson(in.readAll()).toVariant().toMap();
    QVariantList devices = lab.value(QStringLiteral("devices")).toList();
    for (qsizetype i = 0; i < devices.size(); ++i) {
        QVariantMap d = devices[i].toMap();
        QVariantMap p = d.value(QStringLiteral("params")).toMap();
        if (tcp) p.insert(QStringLiteral("port"), sim.address().toInt());
        else p.insert(QStringLiteral("device"), sim.addresses().value(d.value(QStringLiteral("name")) == QLatin1String("psu") ? 0 : 1));
        d.insert(QStringLiteral("params"), p);
        devices[i] = d;
    }
    lab.insert(QStringLiteral("devices"), devices);
    const QString path = dir.filePath(QStringLiteral("lab.json"));
    QFile f(path);
    f.open(QIODevice::WriteOnly);
    f.write(QJsonDocument::fromVariant(lab).toJson());
    return path;
}

/** h5py: the dmm readings follow the supply (0.999 V + 1 mV) and both *IDN? are in the snapshot. */
const char* kCheck = R"(
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
e = f["entry"]
assert e["status"][()].decode() == "completed", e["status"][()]
v = e["data/psu"][()]
m = e["data/dmm_volt"][()]  # "." is not kept in dataset names
assert len(m) == int(sys.argv[2]), m
assert np.allclose(m, 0.999 * v + 0.001, atol=1e-9), (v, m)
for d in ("psu", "dmm"):
    idn = e["instrument/%s/idn" % d][()]
    idn = idn.decode() if isinstance(idn, bytes) else str(idn)
    assert idn == "Acquila,SimInstrument,0001,1.0", (d, idn)
print("ok", len(m))
)";

class ScpiRun : public ::testing::TestWithParam<const char*> {};

TEST_P(ScpiRun, APlanScansTheSupplyWhileReadingTheMeterAndTheFileHoldsEveryReadingAndEachIdn) {
    // The example lab and plan of resources/, on the simulator.
    ScpiSimulator sim(QString::fromLatin1(GetParam()));
    ASSERT_FALSE(sim.address().isEmpty());
    QTemporaryDir dir;
    const QString lab = writeLab(dir, QString::fromLatin1(GetParam()), sim);
    const ProcessResult r = runProcess(QStringLiteral(ACQUILA_APP_EXE),
                                       {QStringLiteral("run"), sourcePath(QStringLiteral("resources/plans/scpi/psu-scan.json")), QStringLiteral("--lab"), lab, QStringLiteral("--out"), dir.path(),
                                        QStringLiteral("--disk-reserve"), QStringLiteral("1")},
                                       std::chrono::seconds(120));
    ASSERT_TRUE(r.finished);
    ASSERT_EQ(r.exitCode, 0) << r.output().toStdString();
    EXPECT_TRUE(r.out.startsWith(QLatin1String("completed: 11/11 points"))) << r.out.toStdString();
    const QStringList files = QDir(dir.path()).entryList({QStringLiteral("*.h5")});
    ASSERT_EQ(files.size(), 1) << files.join(' ').toStdString();
    const ProcessResult check = runProcess(kSystemPython, {QStringLiteral("-c"), QString::fromLatin1(kCheck), dir.filePath(files[0]), QStringLiteral("11")});
    EXPECT_EQ(check.exitCode, 0) << check.output().toStdString();
}

INSTANTIATE_TEST_SUITE_P(Transports, ScpiRun, ::testing::Values("--tcp", "--pty"),
                         [](const auto& info) { return std::string(info.param + 2); });

}  // namespace
