#include "core/plan/Plan.h"
#include "support/TestSupport.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <gtest/gtest.h>
#include <map>

using namespace acquila::plan;

namespace {

QString errorOf(const QByteArray& json, const QString& baseDir = {}) {
    const auto r = parsePlan(json, QStringLiteral("plan.json"), baseDir);
    EXPECT_FALSE(r.ok()) << "unexpectedly parsed: " << json.toStdString();
    return r.ok() ? QString() : r.error();
}

Plan parseOk(const QByteArray& json, const QString& baseDir = {}) {
    auto r = parsePlan(json, QStringLiteral("plan.json"), baseDir);
    EXPECT_TRUE(r.ok()) << r.error().toStdString();
    return r.ok() ? r.value() : Plan{};
}

QByteArray linearWith(const char* axis) {
    return QByteArray(R"({"version": 1, "name": "t", "scan": {"type": "linear"}, "axes": [)") + axis +
           R"(], "detectors": ["diode"]})";
}

void writeFile(const QString& path, const QByteArray& content) {
    QFile f(path);
    ASSERT_TRUE(f.open(QIODevice::WriteOnly));
    f.write(content);
}

QStringList examplePlans() {
    const QDir dir(acquila::test::sourcePath(QStringLiteral("resources/plans")));
    QStringList out;
    for (const QString& f : dir.entryList({QStringLiteral("*.json")}, QDir::Files)) out << dir.filePath(f);
    return out;
}

}  // namespace

TEST(PlanParse, EveryExamplePlanLoads) {
    const QStringList files = examplePlans();
    ASSERT_GE(files.size(), 8);
    for (const QString& f : files) {
        const auto r = loadPlanFile(f);
        EXPECT_TRUE(r.ok()) << f.toStdString() << ": " << r.error().toStdString();
        if (r) {
            EXPECT_EQ(r->sourceFile, f);
        }
    }
}

TEST(PlanParse, ExamplePlansHaveTheDocumentedContent) {
    const auto dir = acquila::test::sourcePath(QStringLiteral("resources/plans/"));
    const auto linear = loadPlanFile(dir + QStringLiteral("linear-motor.json"));
    ASSERT_TRUE(linear.ok());
    EXPECT_EQ(linear->type, ScanType::Linear);
    EXPECT_EQ(linear->axes.at(0).device, QStringLiteral("motor"));
    EXPECT_EQ(linear->axes.at(0).steps, 101);
    EXPECT_EQ(linear->detectors, QStringList{QStringLiteral("diode")});
    EXPECT_EQ(linear->metadata.value(QStringLiteral("sample")).toString(), QStringLiteral("demo"));

    const auto list = loadPlanFile(dir + QStringLiteral("list-stage.json"));
    ASSERT_TRUE(list.ok()) << list.error().toStdString();
    ASSERT_EQ(list->axes.size(), 2u);
    ASSERT_EQ(list->axes[0].points.size(), 10u);
    EXPECT_EQ(list->axes[0].points[1], 20.0);
    EXPECT_EQ(list->axes[1].points[1], -10.0);
    EXPECT_EQ(list->axes[0].points[9], 10.5);
    EXPECT_EQ(list->axes[1].points[9], -2.25);

    const auto fault = loadPlanFile(dir + QStringLiteral("fault-crash.json"));
    ASSERT_TRUE(fault.ok());
    EXPECT_EQ(fault->axes.at(0).steps, 200);
    EXPECT_EQ(fault->properties.value(QStringLiteral("fault")).value(QStringLiteral("mode")).toString(), QStringLiteral("crash"));
    EXPECT_EQ(fault->properties.value(QStringLiteral("fault")).value(QStringLiteral("at_point")).toInt(), 50);

    const auto count = loadPlanFile(dir + QStringLiteral("count-timeseries.json"));
    ASSERT_TRUE(count.ok());
    EXPECT_EQ(count->type, ScanType::Count);
    EXPECT_GT(count->intervalS, 0.0);
    EXPECT_TRUE(count->axes.empty());
}

TEST(PlanParse, MissingFileNamesThePath) {
    const auto r = loadPlanFile(QStringLiteral("/nonexistent/dir/p.json"));
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(r.error().startsWith(QStringLiteral("/nonexistent/dir/p.json: cannot read plan file"))) << r.error().toStdString();
}

TEST(PlanParse, BadJsonReportsLineAndColumn) {
    // The stray comma at line 3 makes "}" unexpected at column 7 of line 4.
    const QByteArray json = "{\n  \"version\": 1,\n  \"name\": \"x\",\n      }\n";
    const QString e = errorOf(json);
    EXPECT_TRUE(e.startsWith(QStringLiteral("plan.json: line 4, column 7: "))) << e.toStdString();
    EXPECT_GT(e.size(), QStringLiteral("plan.json: line 4, column 7: ").size());

    // The bad value starts at column 14 of line 2.
    const QString v = errorOf("{\n  \"version\": tru}");
    EXPECT_TRUE(v.startsWith(QStringLiteral("plan.json: line 2, column 14: "))) << v.toStdString();

    EXPECT_TRUE(errorOf("[1, 2]").startsWith(QStringLiteral("plan.json: expected a JSON object")));
}

TEST(PlanParse, MissingRequiredField) {
    EXPECT_EQ(errorOf(R"({"version": 1, "name": "t", "scan": {"type": "count", "points": 3}})"),
              QStringLiteral("plan.json: /detectors: missing required field"));
    EXPECT_EQ(errorOf(R"({"name": "t"})"), QStringLiteral("plan.json: /version: missing required field"));
    EXPECT_EQ(errorOf(linearWith(R"({"device": "motor", "start": 0, "steps": 3})")),
              QStringLiteral("plan.json: /axes/0/stop: missing required field"));
    EXPECT_EQ(errorOf(R"({"version": 1, "name": "t", "scan": {"type": "grid"}, "detectors": []})"),
              QStringLiteral("plan.json: /axes: missing required field"));
}

TEST(PlanParse, WrongTypes) {
    EXPECT_EQ(errorOf(linearWith(R"({"device": "motor", "start": 0, "stop": 1, "steps": "ten"})")),
              QStringLiteral("plan.json: /axes/0/steps: expected an integer >= 1, got \"ten\""));
    EXPECT_EQ(errorOf(linearWith(R"({"device": "motor", "start": 0, "stop": 1, "steps": 0})")),
              QStringLiteral("plan.json: /axes/0/steps: expected an integer >= 1, got 0"));
    EXPECT_EQ(errorOf(linearWith(R"({"device": "motor", "start": 0, "stop": 1, "steps": 2.5})")),
              QStringLiteral("plan.json: /axes/0/steps: expected an integer >= 1, got 2.5"));
    EXPECT_EQ(errorOf(linearWith(R"({"device": "motor", "start": [1], "stop": 1, "steps": 2})")),
              QStringLiteral("plan.json: /axes/0/start: expected a number, got an array"));
    EXPECT_EQ(errorOf(linearWith(R"({"device": "motor", "start": 0, "stop": 1, "steps": 2, "relative": "yes"})")),
              QStringLiteral("plan.json: /axes/0/relative: expected true or false, got \"yes\""));
    EXPECT_EQ(errorOf(R"({"version": 1, "name": "t", "scan": {"type": "count", "points": 3}, "detectors": "diode"})"),
              QStringLiteral("plan.json: /detectors: expected an array, got \"diode\""));
    EXPECT_EQ(errorOf(R"({"version": 1, "name": "t", "scan": {"type": "count", "points": 3}, "detectors": [], "settle_s": -1})"),
              QStringLiteral("plan.json: /settle_s: expected a number >= 0, got -1"));
    EXPECT_EQ(errorOf(R"({"version": 1, "name": "t", "scan": {"type": "count", "points": 3}, "detectors": [], "repeats": 0})"),
              QStringLiteral("plan.json: /repeats: expected an integer >= 1, got 0"));
    EXPECT_EQ(errorOf(R"({"version": 1, "name": "t", "scan": "count", "detectors": []})"),
              QStringLiteral("plan.json: /scan: expected an object, got \"count\""));
    EXPECT_EQ(errorOf(R"({"version": 1, "name": "t", "scan": {"type": "count", "points": 3}, "detectors": [],
                         "properties": {"fault": {"mode": [1]}}})"),
              QStringLiteral("plan.json: /properties/fault/mode: expected a number, string or boolean, got an array"));
}

TEST(PlanParse, UnknownScanTypeAndFields) {
    EXPECT_EQ(errorOf(R"({"version": 1, "name": "t", "scan": {"type": "zigzag"}, "detectors": []})"),
              QStringLiteral("plan.json: /scan/type: unknown scan type 'zigzag' (expected one of count, linear, grid, list, spiral)"));
    const QString e = errorOf(R"({"version": 1, "name": "t", "scan": {"type": "count", "points": 3}, "detectors": [], "setle_s": 1})");
    EXPECT_TRUE(e.startsWith(QStringLiteral("plan.json: /setle_s: unknown field (expected one of version, name,"))) << e.toStdString();
    const QString s = errorOf(R"({"version": 1, "name": "t", "scan": {"type": "linear", "snake": true}, "axes": [], "detectors": []})");
    EXPECT_EQ(s, QStringLiteral("plan.json: /scan/snake: unknown field for a linear scan (expected one of type)"));
}

TEST(PlanParse, UnsupportedVersion) {
    EXPECT_EQ(errorOf(R"({"version": 2, "name": "t"})"),
              QStringLiteral("plan.json: /version: unsupported plan version 2 (this version of Acquila reads version 1)"));
}

TEST(PlanParse, StructuralChecks) {
    EXPECT_EQ(errorOf(R"({"version": 1, "name": "t", "scan": {"type": "linear"}, "detectors": [],
                         "axes": [{"device": "a", "start": 0, "stop": 1, "steps": 2}, {"device": "b", "start": 0, "stop": 1, "steps": 2}]})"),
              QStringLiteral("plan.json: /axes: a linear scan needs exactly 1 axis, got 2"));
    EXPECT_EQ(errorOf(R"({"version": 1, "name": "t", "scan": {"type": "spiral", "radius": 5, "step": 1}, "detectors": [],
                         "axes": [{"device": "a"}]})"),
              QStringLiteral("plan.json: /axes: a spiral scan needs exactly 2 axes, got 1"));
    EXPECT_EQ(errorOf(R"({"version": 1, "name": "t", "scan": {"type": "spiral", "radius": -5, "step": 1}, "detectors": [],
                         "axes": [{"device": "a"}, {"device": "b"}]})"),
              QStringLiteral("plan.json: /scan/radius: expected a number > 0, got -5"));
    EXPECT_EQ(errorOf(R"({"version": 1, "name": "t", "scan": {"type": "spiral", "radius": 5, "step": 0}, "detectors": [],
                         "axes": [{"device": "a"}, {"device": "b"}]})"),
              QStringLiteral("plan.json: /scan/step: expected a number > 0, got 0"));
    EXPECT_EQ(errorOf(R"({"version": 1, "name": "t", "scan": {"type": "grid"}, "detectors": [], "axes": []})"),
              QStringLiteral("plan.json: /axes: a grid scan needs at least 1 axis, got 0"));
    EXPECT_EQ(errorOf(R"({"version": 1, "name": "t", "scan": {"type": "grid"}, "detectors": [],
                         "axes": [{"device": "a", "start": 0, "stop": 1, "steps": 2}, {"device": "a", "start": 0, "stop": 1, "steps": 2}]})"),
              QStringLiteral("plan.json: /axes/1/device: axis 'a' appears twice"));
    EXPECT_EQ(errorOf(R"({"version": 1, "name": "t", "scan": {"type": "count", "points": 2}, "detectors": ["d", "d"]})"),
              QStringLiteral("plan.json: /detectors/1: detector 'd' appears twice"));
    EXPECT_TRUE(errorOf(R"({"version": 1, "name": "t", "scan": {"type": "count", "points": 2}, "detectors": [],
                          "axes": [{"device": "a"}]})")
                    .startsWith(QStringLiteral("plan.json: /axes: a count scan moves no axes")));
    EXPECT_EQ(errorOf(R"({"version": 1, "name": "t", "scan": {"type": "grid"}, "detectors": [],
                         "axes": [{"device": "a", "start": 0, "stop": 1, "steps": 10000000}, {"device": "b", "start": 0, "stop": 1, "steps": 10000000}]})"),
              QStringLiteral("plan.json: /axes: the scan has more than 1000000000 points"));
}

TEST(PlanParse, NameMustBeASafeFileNameFragment) {
    for (const char* bad : {"../evil", "a/b", "", "has space", ".hidden"}) {
        const QByteArray json = QByteArray(R"({"version": 1, "name": ")") + bad +
                                R"(", "scan": {"type": "count", "points": 1}, "detectors": []})";
        EXPECT_TRUE(errorOf(json).startsWith(QStringLiteral("plan.json: /name: expected a name of at most 64 letters"))) << bad;
    }
    EXPECT_EQ(parseOk(R"({"version": 1, "name": "run_2.b-3", "scan": {"type": "count", "points": 1}, "detectors": []})").name,
              QStringLiteral("run_2.b-3"));
}

TEST(PlanParse, InlineListPoints) {
    const Plan p = parseOk(R"({"version": 1, "name": "t", "scan": {"type": "list", "points": [[1, 2], [3, 4], [5, 6]]},
                              "axes": [{"device": "stage.x"}, {"device": "stage.y", "relative": true}], "detectors": []})");
    ASSERT_EQ(p.axes.size(), 2u);
    EXPECT_EQ(p.axes[0].points, (std::vector<double>{1, 3, 5}));
    EXPECT_EQ(p.axes[1].points, (std::vector<double>{2, 4, 6}));
    EXPECT_TRUE(p.axes[1].relative);

    EXPECT_EQ(errorOf(R"({"version": 1, "name": "t", "scan": {"type": "list", "points": [[1, 2], [3]]},
                         "axes": [{"device": "stage.x"}, {"device": "stage.y"}], "detectors": []})"),
              QStringLiteral("plan.json: /scan/points/1: expected 2 numbers (one per axis: stage.x, stage.y), got 1"));
    EXPECT_EQ(errorOf(R"({"version": 1, "name": "t", "scan": {"type": "list", "points": [[1, "x"]]},
                         "axes": [{"device": "stage.x"}, {"device": "stage.y"}], "detectors": []})"),
              QStringLiteral("plan.json: /scan/points/0/1: expected a number, got \"x\""));
    EXPECT_EQ(errorOf(R"({"version": 1, "name": "t", "scan": {"type": "list"}, "axes": [{"device": "a"}], "detectors": []})"),
              QStringLiteral("plan.json: /scan: a list scan needs either \"points\" or \"csv\""));
}

TEST(PlanParse, CsvPointsWithAndWithoutHeader) {
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    // Header in the opposite order of the axes: columns are matched by name.
    writeFile(dir.filePath(QStringLiteral("h.csv")), "stage.y, stage.x\n# comment\n1,10\n\n2,20\n");
    writeFile(dir.filePath(QStringLiteral("n.csv")), "10,1\n20,2\n30,3\n");
    const char* axes = R"("axes": [{"device": "stage.x"}, {"device": "stage.y"}], "detectors": []})";
    const Plan h = parseOk(QByteArray(R"({"version": 1, "name": "t", "scan": {"type": "list", "csv": "h.csv"}, )") + axes, dir.path());
    ASSERT_EQ(h.axes.size(), 2u);
    EXPECT_EQ(h.axes[0].points, (std::vector<double>{10, 20}));
    EXPECT_EQ(h.axes[1].points, (std::vector<double>{1, 2}));
    const Plan n = parseOk(QByteArray(R"({"version": 1, "name": "t", "scan": {"type": "list", "csv": "n.csv"}, )") + axes, dir.path());
    EXPECT_EQ(n.axes[0].points, (std::vector<double>{10, 20, 30}));
    EXPECT_EQ(n.axes[1].points, (std::vector<double>{1, 2, 3}));
}

TEST(PlanParse, BadCsvNamesTheCsvFileAndLine) {
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    writeFile(dir.filePath(QStringLiteral("bad-number.csv")), "stage.x,stage.y\n1,2\n3,abc\n");
    writeFile(dir.filePath(QStringLiteral("bad-count.csv")), "1,2\n3,4\n5,6,7\n");
    writeFile(dir.filePath(QStringLiteral("bad-header.csv")), "stage.x,stage.z\n1,2\n");
    writeFile(dir.filePath(QStringLiteral("empty.csv")), "stage.x,stage.y\n");
    const auto planFor = [](const char* csv) {
        return QByteArray(R"({"version": 1, "name": "t", "scan": {"type": "list", "csv": ")") + csv +
               R"("}, "axes": [{"device": "stage.x"}, {"device": "stage.y"}], "detectors": []})";
    };
    EXPECT_EQ(errorOf(planFor("bad-number.csv"), dir.path()),
              QStringLiteral("plan.json: /scan/csv: bad-number.csv: line 3, column 2: expected a finite number"));
    EXPECT_EQ(errorOf(planFor("bad-count.csv"), dir.path()),
              QStringLiteral("plan.json: /scan/csv: bad-count.csv: line 3: expected 2 values, got 3"));
    EXPECT_EQ(errorOf(planFor("bad-header.csv"), dir.path()),
              QStringLiteral("plan.json: /scan/csv: bad-header.csv: line 1: the header row names no column 'stage.y'"));
    EXPECT_EQ(errorOf(planFor("empty.csv"), dir.path()),
              QStringLiteral("plan.json: /scan/csv: empty.csv: no points (expected one row per point)"));
    const QString missing = errorOf(planFor("missing.csv"), dir.path());
    EXPECT_TRUE(missing.startsWith(QStringLiteral("plan.json: /scan/csv: cannot read '"))) << missing.toStdString();
    EXPECT_TRUE(missing.contains(QStringLiteral("missing.csv"))) << missing.toStdString();
}

// The CSV may be any file the user can read: its errors must not show what is in it.
TEST(PlanParse, CsvErrorsNeverEchoTheFilesContent) {
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    const QByteArray secret = "root:x:0:0:s3cr3t-t0ken:/root:/bin/bash";
    writeFile(dir.filePath(QStringLiteral("first.csv")), secret + "\n1,2\n");
    writeFile(dir.filePath(QStringLiteral("named.csv")), "stage.x," + secret + "\n1,2\n");
    writeFile(dir.filePath(QStringLiteral("single.csv")), secret + "\n");
    writeFile(dir.filePath(QStringLiteral("later.csv")), "1,2\n3," + secret + "\n");
    writeFile(dir.filePath(QStringLiteral("long.csv")), "1,2\n" + QByteArray(5000, 'k') + secret + "\n");
    const auto planFor = [](const char* csv) {
        return QByteArray(R"({"version": 1, "name": "t", "scan": {"type": "list", "csv": ")") + csv +
               R"("}, "axes": [{"device": "stage.x"}, {"device": "stage.y"}], "detectors": []})";
    };
    const std::map<const char*, const char*> expected = {
        {"first.csv", "first.csv: line 1: the header row names no column 'stage.x'"},
        {"named.csv", "named.csv: line 1: the header row names no column 'stage.y'"},
        {"single.csv", "single.csv: line 1: the header row names no column 'stage.x'"},
        {"later.csv", "later.csv: line 2, column 2: expected a finite number"},
        {"long.csv", "long.csv: line 2: longer than 4096 bytes"},
    };
    for (const auto& [file, message] : expected) {
        const QString error = errorOf(planFor(file), dir.path());
        EXPECT_EQ(error, QStringLiteral("plan.json: /scan/csv: ") + QLatin1String(message));
        EXPECT_FALSE(error.contains(QLatin1String("s3cr3t"))) << error.toStdString();
    }
    writeFile(dir.filePath(QStringLiteral("extra.csv")), "stage.x,stage.y,s3cr3t\n1,2,3\n");
    const QString extra = errorOf(planFor("extra.csv"), dir.path());
    EXPECT_EQ(extra, QStringLiteral("plan.json: /scan/csv: extra.csv: line 1, column 3: the header names a column that is not an axis "
                                    "of the plan (axes: stage.x, stage.y)"));
}

TEST(PlanParse, CsvMustBeARegularFile) {
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    const QByteArray plan = R"({"version": 1, "name": "t", "scan": {"type": "list", "csv": "/dev/zero"},
                               "axes": [{"device": "stage.x"}], "detectors": []})";
    EXPECT_EQ(errorOf(plan, dir.path()), QStringLiteral("plan.json: /scan/csv: cannot read '/dev/zero': not a regular file"));
}

TEST(PlanParse, RelativeCsvPathsAreRelativeToThePlanFile) {
    QTemporaryDir planDir, elsewhere;
    ASSERT_TRUE(planDir.isValid() && elsewhere.isValid());
    writeFile(planDir.filePath(QStringLiteral("pts.csv")), "1\n2\n");
    writeFile(elsewhere.filePath(QStringLiteral("pts.csv")), "7\n8\n9\n");
    const QByteArray json = R"({"version": 1, "name": "t", "scan": {"type": "list", "csv": "pts.csv"},
                               "axes": [{"device": "stage.x"}], "detectors": []})";
    writeFile(planDir.filePath(QStringLiteral("plan.json")), json);
    const QString cwd = QDir::currentPath();
    ASSERT_TRUE(QDir::setCurrent(elsewhere.path()));
    const auto fromFile = loadPlanFile(planDir.filePath(QStringLiteral("plan.json")));
    // A plan that comes from no file has no directory to resolve against.
    const QString inline_ = errorOf(json, QString());
    QDir::setCurrent(cwd);
    ASSERT_TRUE(fromFile.ok()) << fromFile.error().toStdString();
    EXPECT_EQ(fromFile->axes[0].points, (std::vector<double>{1, 2}));
    EXPECT_EQ(inline_, QStringLiteral("plan.json: /scan/csv: a relative path needs a plan loaded from a file; give an absolute path"));
    // An absolute path works from anywhere.
    const QByteArray absolute = QByteArray(R"({"version": 1, "name": "t", "scan": {"type": "list", "csv": ")") +
                                elsewhere.filePath(QStringLiteral("pts.csv")).toUtf8() +
                                R"("}, "axes": [{"device": "stage.x"}], "detectors": []})";
    EXPECT_EQ(parseOk(absolute, QString()).axes[0].points, (std::vector<double>{7, 8, 9}));
}

TEST(PlanParse, ToJsonRoundTripsEveryExample) {
    for (const QString& f : examplePlans()) {
        const auto p = loadPlanFile(f);
        ASSERT_TRUE(p.ok()) << p.error().toStdString();
        const QByteArray json = QJsonDocument(p->toJson()).toJson();
        // No base directory: list points must travel inline, not as a CSV reference.
        const auto back = parsePlan(json, QStringLiteral("copy.json"));
        ASSERT_TRUE(back.ok()) << f.toStdString() << ": " << back.error().toStdString();
        EXPECT_TRUE(*back == *p) << f.toStdString() << "\n" << json.toStdString();
    }
}

TEST(PlanParse, ToJsonRoundTripsEveryField) {
    const Plan p = parseOk(R"({"version": 1, "name": "full", "title": "All fields",
        "scan": {"type": "grid", "snake": true},
        "axes": [{"device": "stage.y", "start": -1.5, "stop": 2.25, "steps": 4, "relative": true},
                 {"device": "stage.x", "start": 0.1, "stop": 0.7, "steps": 7}],
        "detectors": ["spot", "camera"], "settle_s": 0.01, "exposure_s": 0.2, "repeats": 3,
        "metadata": {"sample": "A7", "temperature": 293.5, "tags": ["x", "y"]},
        "output": {"directory": "/data/here"}, "return_to_start": true,
        "properties": {"fault": {"mode": "crash", "at_point": 5}, "camera": {"gain": 2.5}},
        "points_per_job": 16})");
    EXPECT_EQ(p.repeats, 3);
    EXPECT_TRUE(p.snake);
    EXPECT_TRUE(p.returnToStart);
    EXPECT_EQ(p.outputDirectory, QStringLiteral("/data/here"));
    EXPECT_EQ(p.pointsPerJob, 16);
    const auto back = parsePlan(QJsonDocument(p.toJson()).toJson(QJsonDocument::Compact), QStringLiteral("x.json"));
    ASSERT_TRUE(back.ok()) << back.error().toStdString();
    EXPECT_TRUE(*back == p);
    Plan changed = *back;
    changed.axes[1].steps = 8;
    EXPECT_FALSE(changed == p);

    const Plan s = parseOk(R"({"version": 1, "name": "s", "scan": {"type": "spiral", "radius": 5, "step": 0.5},
        "axes": [{"device": "stage.x", "center": 1}, {"device": "stage.y", "center": -2, "relative": true}], "detectors": ["spot"]})");
    const auto sb = parsePlan(QJsonDocument(s.toJson()).toJson(), QStringLiteral("x.json"));
    ASSERT_TRUE(sb.ok()) << sb.error().toStdString();
    EXPECT_TRUE(*sb == s);
}

TEST(PlanParse, ScanTypeNames) {
    EXPECT_STREQ(scanTypeName(ScanType::Count), "count");
    EXPECT_STREQ(scanTypeName(ScanType::Linear), "linear");
    EXPECT_STREQ(scanTypeName(ScanType::Grid), "grid");
    EXPECT_STREQ(scanTypeName(ScanType::List), "list");
    EXPECT_STREQ(scanTypeName(ScanType::Spiral), "spiral");
}

// ---- Limits (resources/plans/README.md, "Limits") ----

TEST(PlanLimits, TooManyPointsAreRefused) {
    EXPECT_EQ(errorOf(R"({"version": 1, "name": "t", "scan": {"type": "grid"}, "detectors": [],
                         "axes": [{"device": "a", "start": 0, "stop": 1, "steps": 1000000}, {"device": "b", "start": 0, "stop": 1, "steps": 1000000}]})"),
              QStringLiteral("plan.json: /axes: the scan has more than 1000000000 points"));
    EXPECT_EQ(errorOf(R"({"version": 1, "name": "t", "scan": {"type": "count", "points": 1000}, "detectors": [], "repeats": 1000001})"),
              QStringLiteral("plan.json: /repeats: the scan with its repeats has more than 1000000000 points"));
    parseOk(R"({"version": 1, "name": "t", "scan": {"type": "count", "points": 1000000000}, "detectors": []})");
}

TEST(PlanLimits, TimesAreAtMostOneDay) {
    EXPECT_EQ(errorOf(R"({"version": 1, "name": "t", "scan": {"type": "count", "points": 2}, "detectors": [], "settle_s": 1e300})"),
              QStringLiteral("plan.json: /settle_s: 1e+300 s is above the limit of 86400 s (one day)"));
    EXPECT_EQ(errorOf(R"({"version": 1, "name": "t", "scan": {"type": "count", "points": 2}, "detectors": [], "exposure_s": 86401})"),
              QStringLiteral("plan.json: /exposure_s: 86401 s is above the limit of 86400 s (one day)"));
    EXPECT_EQ(errorOf(R"({"version": 1, "name": "t", "scan": {"type": "count", "points": 2, "interval_s": 1e9}, "detectors": []})"),
              QStringLiteral("plan.json: /scan/interval_s: 1000000000 s is above the limit of 86400 s (one day)"));
    EXPECT_EQ(parseOk(R"({"version": 1, "name": "t", "scan": {"type": "count", "points": 2}, "detectors": [], "settle_s": 86400})").settleS,
              86400.0);
}

TEST(PlanLimits, LongStringsAreRefusedWithoutEchoingThem) {
    const QByteArray title(5000, 'x');
    const QString e = errorOf(R"({"version": 1, "name": "t", "scan": {"type": "count", "points": 2}, "detectors": [], "title": ")" + title + "\"}");
    EXPECT_EQ(e, QStringLiteral("plan.json: /title: 5000 characters is above the limit of 4096"));
    const QByteArray name(300, 'd');
    EXPECT_EQ(errorOf(R"({"version": 1, "name": "t", "scan": {"type": "count", "points": 2}, "detectors": [")" + name + "\"]}"),
              QStringLiteral("plan.json: /detectors/0: 300 characters is above the limit of 256"));
    const QByteArray dir(5000, 'o');
    EXPECT_EQ(errorOf(R"({"version": 1, "name": "t", "scan": {"type": "count", "points": 2}, "detectors": [], "output": {"directory": ")" + dir + "\"}}"),
              QStringLiteral("plan.json: /output/directory: 5000 characters is above the limit of 4096"));
    const QByteArray meta(70000, 'm');
    EXPECT_EQ(errorOf(R"({"version": 1, "name": "t", "scan": {"type": "count", "points": 2}, "detectors": [], "metadata": {"note": ")" + meta + "\"}}"),
              QStringLiteral("plan.json: /metadata: 70011 bytes of JSON is above the limit of 65536"));
    // A wrong type echoes at most the start of a long string.
    const QString typeError = errorOf(R"({"version": 1, "name": "t", "scan": {"type": "count", "points": 2}, "detectors": [], "repeats": ")" + title + "\"}");
    EXPECT_LT(typeError.size(), 200) << typeError.toStdString();
}

TEST(PlanLimits, HugePlanFilesAreRefusedBeforeParsing) {
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    // A title of megabytes: the file is refused by its size.
    const QString path = dir.filePath(QStringLiteral("big.json"));
    writeFile(path, R"({"version": 1, "name": "t", "scan": {"type": "count", "points": 2}, "detectors": [], "title": ")" +
                        QByteArray(5'000'000, 'x') + "\"}");
    const auto r = loadPlanFile(path);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), QStringLiteral("big.json: %1 bytes is above the limit of 4194304 bytes for a plan").arg(QFileInfo(path).size()));
    EXPECT_EQ(errorOf(QByteArray(5 << 20, ' ')), QStringLiteral("plan.json: 5242880 bytes is above the limit of 4194304 bytes for a plan"));
}

TEST(PlanLimits, ListPointsAreLimited) {
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    QByteArray rows;
    rows.reserve(2'100'000);
    for (int i = 0; i <= 1'000'000; ++i) rows += "0\n";
    writeFile(dir.filePath(QStringLiteral("many.csv")), rows);
    writeFile(dir.filePath(QStringLiteral("huge.csv")), QByteArray((64 << 20) + 1, '\n'));
    const auto planFor = [](const char* csv) {
        return QByteArray(R"({"version": 1, "name": "t", "scan": {"type": "list", "csv": ")") + csv +
               R"("}, "axes": [{"device": "motor"}], "detectors": []})";
    };
    EXPECT_EQ(errorOf(planFor("many.csv"), dir.path()),
              QStringLiteral("plan.json: /scan/csv: the list has 1000001 points, above the limit of 1000000"));
    EXPECT_EQ(errorOf(planFor("huge.csv"), dir.path()),
              QStringLiteral("plan.json: /scan/csv: huge.csv: 67108865 bytes is above the limit of 67108864 bytes for a points file"));
    QByteArray inlinePoints = R"({"version": 1, "name": "t", "scan": {"type": "list", "points": [)";
    for (int i = 0; i <= 1'000'000; ++i) inlinePoints += i ? ",[0]" : "[0]";
    inlinePoints += R"(]}, "axes": [{"device": "motor"}], "detectors": []})";
    EXPECT_EQ(errorOf(inlinePoints), QStringLiteral("plan.json: /scan/points: 1000001 points is above the limit of 1000000"));
}

TEST(PlanLimits, AllowPartialRoundTrips) {
    const Plan p = parseOk(R"({"version": 1, "name": "t", "scan": {"type": "count", "points": 2}, "detectors": [], "output": {"allow_partial": true}})");
    EXPECT_TRUE(p.outputAllowPartial);
    const auto back = parsePlan(QJsonDocument(p.toJson()).toJson(), QStringLiteral("plan.json"));
    ASSERT_TRUE(back.ok()) << back.error().toStdString();
    EXPECT_EQ(*back, p);
}

TEST(PlanParse, RetryAfterCrashIsOffByDefaultAndRoundTrips) {
    const QByteArray base = R"({"version": 1, "name": "t", "scan": {"type": "count", "points": 3}, "detectors": ["diode"])";
    EXPECT_FALSE(parseOk(base + "}").retryAfterCrash);
    const Plan on = parseOk(base + R"(, "retry_after_crash": true})");
    EXPECT_TRUE(on.retryAfterCrash);
    const auto back = parsePlan(QJsonDocument(on.toJson()).toJson(), QStringLiteral("x.json"));
    ASSERT_TRUE(back.ok()) << back.error().toStdString();
    EXPECT_TRUE(back->retryAfterCrash);
    EXPECT_FALSE(*back == parseOk(base + "}"));
    EXPECT_EQ(errorOf(base + R"(, "retry_after_crash": 1})"),
              QStringLiteral("plan.json: /retry_after_crash: expected true or false, got 1"));
}
