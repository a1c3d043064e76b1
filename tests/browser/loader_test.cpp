#include "BrowserTestSupport.h"
#include "ui/browser/DataExport.h"
#include "ui/browser/H5Loader.h"
#include <QFile>
#include <QTemporaryDir>
#include <functional>

using namespace acquila::ui::browser;
using acquila::test::corpusDir;

namespace {

QString corpus(const char* name) { return corpusDir() + "/" + name; }

/** Walks every node below `path`, previewing and describing each; returns the node count. */
int walk(H5Loader& loader, const QString& path, int depth, QStringList& problems) {
    if (depth > 12) return 0;  // soft-link loops are infinite; the tree only expands on demand
    const ChildrenPage page = loader.children(path);
    if (!page.error.isEmpty()) problems << page.error;
    EXPECT_EQ(page.nodes.size(), page.total) << path.toStdString();
    int count = 0;
    for (const NodeInfo& n : page.nodes) {
        ++count;
        EXPECT_FALSE(n.name.isEmpty());
        if (n.kind == NodeKind::Dangling) {
            EXPECT_FALSE(n.error.isEmpty()) << n.path.toStdString();
            continue;
        }
        PreviewRequest r;
        r.path = n.path;
        const PreviewData p = loader.preview(r);
        EXPECT_NE(p.kind, PreviewKind::None) << n.path.toStdString();
        if (p.kind == PreviewKind::Message) {
            EXPECT_FALSE(p.message.isEmpty()) << n.path.toStdString();
        }
        const ObjectDetails d = loader.details(n.path);
        if (!d.error.isEmpty()) problems << d.error;
        if (n.kind == NodeKind::Group) count += walk(loader, n.path, depth + 1, problems);
    }
    return count;
}

NodeInfo child(H5Loader& loader, const QString& group, const QString& name) {
    for (const NodeInfo& n : loader.children(group).nodes)
        if (n.name == name) return n;
    ADD_FAILURE() << "no " << name.toStdString() << " in " << group.toStdString();
    return {};
}

PreviewData previewOf(H5Loader& loader, const QString& path) {
    PreviewRequest r;
    r.path = path;
    return loader.preview(r);
}

}  // namespace

TEST(BrowserLoader, WalksEveryCorpusFileWithoutErrors) {
    ASSERT_FALSE(corpusDir().isEmpty());
    for (const char* name : {"types.h5", "links.h5", "deep.h5", "attrs.h5", "compressed.h5", "nexus.h5", "many.h5"}) {
        H5Loader loader;
        const OpenReply open = loader.open(corpus(name));
        ASSERT_TRUE(open.ok) << name << ": " << open.error.toStdString();
        EXPECT_FALSE(open.swmr);
        QStringList problems;
        const int nodes = walk(loader, "/", 0, problems);
        EXPECT_GT(nodes, 0) << name;
        EXPECT_TRUE(problems.isEmpty()) << name << ": " << problems.join("\n").toStdString();
    }
}

TEST(BrowserLoader, DescribesEveryNumericWidthAndByteOrder) {
    H5Loader loader;
    ASSERT_TRUE(loader.open(corpus("types.h5")).ok);
    EXPECT_EQ(child(loader, "/numbers", "i16_be").dtype, "int16 BE");
    EXPECT_EQ(child(loader, "/numbers", "u64_le").dtype, "uint64 LE");
    EXPECT_EQ(child(loader, "/numbers", "f16_le").dtype, "float16 LE");
    EXPECT_EQ(child(loader, "/numbers", "f64_be").dtype, "float64 BE");
    for (const char* n : {"i8_be", "u32_be", "i64_le", "u16_be"}) {
        const PreviewData p = previewOf(loader, QString("/numbers/") + n);
        ASSERT_EQ(p.kind, PreviewKind::Line) << n;
        ASSERT_EQ(p.y.size(), 20) << n;
        EXPECT_EQ(p.y.front(), 0.0) << n;
        EXPECT_EQ(p.y.back(), 19.0) << n;  // big-endian values converted, not byte-swapped garbage
    }
    const PreviewData f = previewOf(loader, "/numbers/f32_be");
    ASSERT_EQ(f.kind, PreviewKind::Line);
    EXPECT_NEAR(f.y[10], std::sin(6.0 * 10 / 49), 1e-6);
}

TEST(BrowserLoader, ShowsStringsAndJsonAsText) {
    H5Loader loader;
    ASSERT_TRUE(loader.open(corpus("types.h5")).ok);
    EXPECT_EQ(previewOf(loader, "/strings/vlen_utf8").text, QString::fromUtf8("αβγ\nzürich"));
    EXPECT_EQ(previewOf(loader, "/strings/fixed_utf8").text, QString::fromUtf8("héllo wörld"));
    EXPECT_EQ(previewOf(loader, "/strings/fixed_ascii").text, "alpha\nbeta");
    EXPECT_EQ(previewOf(loader, "/strings/vlen_ascii").text, "one\ntwo\nthree");
    const QString json = previewOf(loader, "/strings/json").text;
    EXPECT_TRUE(json.contains("\n    \"axes\": [")) << json.toStdString();  // pretty-printed, indented
    EXPECT_EQ(loader.details("/strings/scalar_vlen").text, "a single string");
}

TEST(BrowserLoader, ShowsCompoundAndOtherTypesAsTables) {
    H5Loader loader;
    ASSERT_TRUE(loader.open(corpus("types.h5")).ok);
    const PreviewData c = previewOf(loader, "/structured/compound");
    ASSERT_EQ(c.kind, PreviewKind::Table);
    EXPECT_EQ(c.table.columns, (QStringList{"x", "n", "tag", "v"}));
    ASSERT_EQ(c.table.rows.size(), 2);
    EXPECT_EQ(c.table.rows[1], (QStringList{"2.5", "3", "cd", "[4, 5, 6]"}));
    const PreviewData e = previewOf(loader, "/structured/enum");
    ASSERT_EQ(e.kind, PreviewKind::Table);
    EXPECT_EQ(e.table.rows[2].front(), "BLUE");
    EXPECT_EQ(previewOf(loader, "/numbers/bool").table.rows[0].front(), "TRUE");
    const PreviewData v = previewOf(loader, "/structured/vlen_seq");
    EXPECT_EQ(v.table.rows[2].front(), "[3, 4, 5]");
    EXPECT_EQ(v.table.rows[1].front(), "[]");
    const PreviewData r = previewOf(loader, "/structured/object_refs");
    EXPECT_EQ(r.table.rows[1].front(), QString::fromUtf8("→ /numbers/i8_le"));
    EXPECT_TRUE(previewOf(loader, "/structured/region_ref").text.contains("/numbers/i32_le"));
    EXPECT_EQ(previewOf(loader, "/shapes/null").kind, PreviewKind::Message);
    EXPECT_TRUE(previewOf(loader, "/shapes/empty_2d").message.contains("Empty"));
    EXPECT_EQ(previewOf(loader, "/shapes/scalar_float").text, "3.25");
    EXPECT_EQ(child(loader, "/", "named_type").kind, NodeKind::Datatype);
}

TEST(BrowserLoader, ImagesAndSlicesOfNdData) {
    H5Loader loader;
    ASSERT_TRUE(loader.open(corpus("types.h5")).ok);
    const PreviewData img = previewOf(loader, "/shapes/image");
    ASSERT_EQ(img.kind, PreviewKind::Image);
    EXPECT_EQ(img.imageRows, 60);
    EXPECT_EQ(img.imageCols, 80);
    EXPECT_EQ(img.image[qsizetype(59) * 80 + 79], 59.0 + 79.0);
    PreviewRequest r;
    r.path = "/shapes/cube";
    r.sliceIndex = {3};
    const PreviewData cube = loader.preview(r);
    ASSERT_EQ(cube.kind, PreviewKind::Image);
    EXPECT_EQ(cube.shape, (QVector<qint64>{5, 30, 40}));
    EXPECT_EQ(cube.sliceIndex, QVector<qint64>{3});
    EXPECT_EQ(cube.image[0], 3.0 * 30 * 40);  // first element of slice 3
    r.path = "/shapes/hyper";
    r.sliceIndex = {1, 9};  // out of range: clamped to the last index
    EXPECT_EQ(loader.preview(r).sliceIndex, (QVector<qint64>{1, 2}));
}

TEST(BrowserLoader, AttributesOfEveryKind) {
    H5Loader loader;
    ASSERT_TRUE(loader.open(corpus("attrs.h5")).ok);
    for (const QString& path : {QString("/"), QString("/holder")}) {
        const ObjectDetails d = loader.details(path);
        EXPECT_TRUE(d.error.isEmpty()) << d.error.toStdString();
        QHash<QString, AttributeInfo> a;
        for (const AttributeInfo& i : d.attributes) a.insert(i.name, i);
        EXPECT_EQ(a.size(), 15);
        EXPECT_EQ(a["int8"].value, "-3");
        EXPECT_EQ(a["uint64_be"].dtype, "uint64 BE");
        EXPECT_EQ(a["uint64_be"].value, "7");
        EXPECT_EQ(a["float_array"].value, "[0, 0.25, 0.5, 0.75, 1]");
        EXPECT_EQ(a["int_matrix"].shape, QString::fromUtf8("2 × 3"));
        EXPECT_EQ(a["vlen_str"].value, QString::fromUtf8("variable é"));
        EXPECT_EQ(a["str_list"].value, "[a, bb, ccc]");
        EXPECT_EQ(a["empty"].shape, "null");
        EXPECT_EQ(a["enum"].value, "ON");
        EXPECT_EQ(a["ref"].value, QString::fromUtf8("→ /"));
        EXPECT_EQ(a["compound"].value, "{i: 1, f: 2}");
        EXPECT_EQ(a["vlen_ints"].value, "[[1, 2], [3]]");
        EXPECT_TRUE(a["json"].value.contains("\n")) << a["json"].value.toStdString();
    }
}

TEST(BrowserLoader, LinksAreShownAndFollowedWhenTheTargetExists) {
    H5Loader loader;
    ASSERT_TRUE(loader.open(corpus("links.h5")).ok);
    const NodeInfo soft = child(loader, "/", "soft_to_group");
    EXPECT_EQ(soft.link, LinkKind::Soft);
    EXPECT_EQ(soft.linkTarget, "/a/b");
    EXPECT_EQ(soft.kind, NodeKind::Group);
    EXPECT_EQ(loader.children("/soft_to_group").nodes.front().name, "c");
    const NodeInfo ext = child(loader, "/", "external");
    EXPECT_EQ(ext.link, LinkKind::External);
    EXPECT_EQ(ext.linkTarget, "types.h5:/shapes");
    EXPECT_EQ(ext.kind, NodeKind::Group);
    EXPECT_EQ(previewOf(loader, "/external/image").kind, PreviewKind::Image);
    for (const char* name : {"dangling_soft", "external_missing_file", "external_missing_obj"}) {
        const NodeInfo d = child(loader, "/", name);
        EXPECT_EQ(d.kind, NodeKind::Dangling) << name;
        EXPECT_TRUE(d.error.contains(QString("/") + name)) << d.error.toStdString();
        EXPECT_TRUE(d.error.contains("links.h5")) << d.error.toStdString();
        EXPECT_EQ(previewOf(loader, QString("/") + name).kind, PreviewKind::Message);
    }
    EXPECT_EQ(child(loader, "/a/b/c", "loop").kind, NodeKind::Group);
}

TEST(BrowserLoader, PagesLargeGroups) {
    H5Loader loader;
    ASSERT_TRUE(loader.open(corpus("many.h5")).ok);
    const ChildrenPage page = loader.children("/many", 9990, 500);
    EXPECT_EQ(page.total, 10000);
    ASSERT_EQ(page.nodes.size(), 10);
    EXPECT_EQ(page.nodes.front().name, "child09990");
    EXPECT_EQ(page.nodes.back().name, "child09999");
    EXPECT_EQ(page.nodes.back().kind, NodeKind::Group);
    EXPECT_EQ(loader.children("/many").nodes.size(), 10000);
}

TEST(BrowserLoader, CompressedDatasetsDecode) {
    H5Loader loader;
    ASSERT_TRUE(loader.open(corpus("compressed.h5")).ok);
    for (const char* name : {"/gzip", "/shuffle_gzip", "/lzf"}) {
        const PreviewData p = previewOf(loader, name);
        ASSERT_EQ(p.kind, PreviewKind::Line) << name << p.message.toStdString();
        EXPECT_NEAR(*std::max_element(p.y.begin(), p.y.end()), 1.0, 1e-3) << name;
        EXPECT_NEAR(*std::min_element(p.y.begin(), p.y.end()), -1.0, 1e-3) << name;
    }
    EXPECT_LT(child(loader, "/", "gzip").storageBytes, 20000 * 8);
}

TEST(BrowserLoader, RunFileSummaryAndNxdataDefaultPlot) {
    H5Loader loader;
    const OpenReply open = loader.open(corpus("nexus.h5"));
    ASSERT_TRUE(open.ok);
    const RunSummary& s = open.summary;
    EXPECT_TRUE(s.present);
    EXPECT_EQ(s.title, "Energy scan of sample A");
    EXPECT_EQ(s.status, "aborted");
    EXPECT_EQ(s.statusReason, "user pressed Abort");
    EXPECT_EQ(s.startTime, "2024-05-01T10:00:00+00:00");
    EXPECT_TRUE(s.plan.contains("\"escan\""));
    EXPECT_EQ(s.detectors, QStringList{"diode"});
    EXPECT_TRUE(s.finalStatus());
    EXPECT_EQ(child(loader, "/", "entry").nxClass, "NXentry");
    const PreviewData line = previewOf(loader, "/entry/data");
    ASSERT_EQ(line.kind, PreviewKind::Line) << line.message.toStdString();
    EXPECT_EQ(line.y.size(), 80);  // points_written limits the plot
    EXPECT_DOUBLE_EQ(line.x.front(), 7.0);
    EXPECT_EQ(line.xLabel, "energy (keV)");
    EXPECT_EQ(line.yLabel, "diode");
    const PreviewData map = previewOf(loader, "/entry/map");
    ASSERT_EQ(map.kind, PreviewKind::Image);
    EXPECT_DOUBLE_EQ(map.yMin, -1.0);
    EXPECT_DOUBLE_EQ(map.xMax, 3.0);
    EXPECT_EQ(map.xLabel, "x");
    H5Loader plain;
    ASSERT_TRUE(plain.open(corpus("types.h5")).ok);
    EXPECT_FALSE(plain.summary().present);
}

TEST(BrowserLoader, BrokenFilesGiveClearErrorsNamingTheFile) {
    H5Loader loader;
    for (const char* name : {"truncated.h5", "random.h5", "empty.nxs", "missing.h5"}) {
        const OpenReply open = loader.open(corpus(name));
        EXPECT_FALSE(open.ok) << name;
        EXPECT_TRUE(open.error.contains(corpus(name))) << open.error.toStdString();
        EXPECT_FALSE(loader.isOpen());
    }
    EXPECT_TRUE(loader.open(corpus("truncated.h5")).error.contains("truncated")) << "names the cause";
    EXPECT_TRUE(loader.open(corpus("random.h5")).error.contains("not an HDF5 file"));
    // Truncating at many points never crashes; what opens still lists and previews.
    QFile src(corpus("types.h5"));
    ASSERT_TRUE(src.open(QIODevice::ReadOnly));
    const QByteArray whole = src.readAll();
    QTemporaryDir dir;
    for (int cut : {100, 800, 2048, 4096, 20000, int(whole.size()) - 100, int(whole.size()) - 1}) {
        const QString path = dir.filePath(QString("cut%1.h5").arg(cut));
        QFile out(path);
        ASSERT_TRUE(out.open(QIODevice::WriteOnly));
        out.write(whole.left(cut));
        out.close();
        const OpenReply r = loader.open(path);
        if (!r.ok) {
            EXPECT_TRUE(r.error.contains(path)) << r.error.toStdString();
            continue;
        }
        QStringList problems;
        walk(loader, "/", 0, problems);
    }
}

TEST(BrowserLoader, ExportsCsvAndNpy) {
    H5Loader loader;
    ASSERT_TRUE(loader.open(corpus("types.h5")).ok);
    QTemporaryDir dir;
    ExportRequest r;
    r.path = "/shapes/cube";
    r.sliceIndex = {2};
    r.outFile = dir.filePath("slice.csv");
    ExportReply reply = loader.exportData(r);
    ASSERT_TRUE(reply.ok) << reply.error.toStdString();
    EXPECT_EQ(reply.values, 30 * 40);
    QFile csv(r.outFile);
    ASSERT_TRUE(csv.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = csv.readAll().split('\n');
    EXPECT_EQ(lines.size(), 31);  // 30 rows and the final newline
    EXPECT_TRUE(lines[0].startsWith("2400,2401,")) << lines[0].toStdString();
    r.path = "/shapes/image";
    r.sliceIndex.clear();
    r.format = ExportFormat::Npy;
    r.outFile = dir.filePath("image.npy");
    ASSERT_TRUE(loader.exportData(r).ok);
    const auto py = acquila::test::runProcess(acquila::test::kSystemPython,
                                              {"-c", "import numpy,sys; a=numpy.load(sys.argv[1]); print(a.shape, a.dtype, a[59,79])", r.outFile});
    ASSERT_TRUE(py.finished);
    EXPECT_EQ(py.out.trimmed(), "(60, 80) float64 138.0");
    r.path = "/structured/compound";
    r.outFile = dir.filePath("c.npy");
    EXPECT_FALSE(loader.exportData(r).ok);
    r.format = ExportFormat::Csv;
    r.outFile = dir.filePath("c.csv");
    ASSERT_TRUE(loader.exportData(r).ok);
    EXPECT_EQ(npyHeader({3}).size() % 64, 0);
}
