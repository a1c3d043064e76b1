// Arbitrary bytes as an HDF5 file: `acquila inspect`, then the browser's loader opening it and
// walking the tree (children, object info, attributes and values, previews, run summary) with
// small read budgets, as the browser's tree model and preview do.
#include "core/storage/RunFileInspector.h"
#include "fuzz/FuzzSupport.h"
#include "ui/browser/H5Loader.h"

namespace {

using namespace acquila::ui::browser;

constexpr int kMaxNodes = 64;

void visit(H5Loader& loader, const QString& path, int* budget) {
    const ChildrenPage page = loader.children(path, 0, 16);
    for (const NodeInfo& node : page.nodes) {
        if (--*budget < 0) return;
        static_cast<void>(loader.inspect(node.path));
        static_cast<void>(loader.details(node.path));
        if (node.kind == NodeKind::Dataset) {
            PreviewRequest request;
            request.path = node.path;
            request.columns = 64;
            request.imageSide = 32;
            request.readBudgetBytes = 1 << 20;
            request.blockElements = 4096;
            static_cast<void>(loader.preview(request));
        }
        if (node.kind == NodeKind::Group && node.link == LinkKind::Hard) visit(loader, node.path, budget);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace acquila;
    const QString file = fuzz::writeTempFile(data, size, ".h5");
    if (auto summary = storage::inspectRunFile(file)) static_cast<void>(storage::formatSummary(*summary));
    H5Loader loader;
    const OpenReply reply = loader.open(file);
    if (!reply.ok) return 0;
    static_cast<void>(loader.summary());
    int budget = kMaxNodes;
    visit(loader, QStringLiteral("/"), &budget);
    loader.close();
    return 0;
}
