#include "ui/browser/H5TreeModel.h"
#include "ui/browser/BrowserLoader.h"
#include "ui/browser/H5Format.h"
#include <QApplication>
#include <QStyle>

namespace acquila::ui::browser {
namespace {

QString kindText(const NodeInfo& n) {
    QString base;
    switch (n.kind) {
    case NodeKind::Group: base = n.nxClass.isEmpty() ? QStringLiteral("Group") : n.nxClass; break;
    case NodeKind::Dataset: base = QStringLiteral("Dataset"); break;
    case NodeKind::Datatype: base = QStringLiteral("Datatype"); break;
    case NodeKind::Dangling: base = QStringLiteral("Broken link"); break;
    case NodeKind::Other: base = QStringLiteral("Other"); break;
    }
    if (n.link == LinkKind::Soft) return QStringLiteral("%1 ⇢ %2").arg(base, n.linkTarget);
    if (n.link == LinkKind::External) return QStringLiteral("%1 ⇢ %2").arg(base, n.linkTarget);
    return base;
}

QString shapeText(const NodeInfo& n) {
    if (n.kind != NodeKind::Dataset) return {};
    if (n.nullSpace) return QStringLiteral("null");
    if (n.scalar) return QStringLiteral("scalar");
    QStringList d;
    for (qint64 v : n.shape) d << QString::number(v);
    return d.join(QStringLiteral(" × "));
}

}  // namespace

H5TreeModel::H5TreeModel(BrowserLoader* loader, QObject* parent) : QAbstractItemModel(parent), loader_(loader) {
    connect(loader_, &BrowserLoader::childrenListed, this, &H5TreeModel::onChildren);
    clear();
}

H5TreeModel::~H5TreeModel() = default;

void H5TreeModel::clear() {
    NodeInfo empty;
    empty.name = empty.path = QStringLiteral("/");
    reset(empty);
    root_->total = 0;
}

void H5TreeModel::reset(const NodeInfo& root) {
    beginResetModel();
    root_ = std::make_unique<Node>();
    root_->info = root;
    byPath_.clear();
    byPath_.insert(root.path, root_.get());
    pending_ = 0;
    endResetModel();
}

H5TreeModel::Node* H5TreeModel::nodeOf(const QModelIndex& index) const {
    return index.isValid() ? static_cast<Node*>(index.internalPointer()) : root_.get();
}

const NodeInfo& H5TreeModel::node(const QModelIndex& index) const { return nodeOf(index)->info; }

QModelIndex H5TreeModel::indexOfNode(const Node* node, int column) const {
    if (!node || node == root_.get()) return {};
    return createIndex(node->row, column, const_cast<Node*>(node));
}

QModelIndex H5TreeModel::indexOf(const QString& path) const { return indexOfNode(byPath_.value(path), 0); }

QModelIndex H5TreeModel::index(int row, int column, const QModelIndex& parent) const {
    const Node* p = nodeOf(parent);
    if (row < 0 || column < 0 || column >= ColumnCount || size_t(row) >= p->children.size()) return {};
    return createIndex(row, column, p->children[size_t(row)].get());
}

QModelIndex H5TreeModel::parent(const QModelIndex& child) const {
    if (!child.isValid()) return {};
    return indexOfNode(nodeOf(child)->parent);
}

int H5TreeModel::rowCount(const QModelIndex& parent) const {
    if (parent.isValid() && parent.column() != 0) return 0;
    return int(nodeOf(parent)->children.size());
}

int H5TreeModel::columnCount(const QModelIndex&) const { return ColumnCount; }

bool H5TreeModel::hasChildren(const QModelIndex& parent) const {
    const Node* n = nodeOf(parent);
    if (n->info.kind != NodeKind::Group) return false;
    return n->total >= 0 ? n->total > 0 : n->info.childCount > 0;
}

bool H5TreeModel::canFetchMore(const QModelIndex& parent) const {
    const Node* n = nodeOf(parent);
    if (n->info.kind != NodeKind::Group || n->fetching) return false;
    const qint64 total = n->total >= 0 ? n->total : n->info.childCount;
    return qint64(n->children.size()) < total;
}

void H5TreeModel::fetchMore(const QModelIndex& parent) {
    if (!canFetchMore(parent)) return;
    Node* n = nodeOf(parent);
    n->fetching = true;
    ++pending_;
    loader_->listChildren(n->info.path, qint64(n->children.size()), kPageSize);
}

void H5TreeModel::onChildren(const ChildrenPage& page) {
    Node* n = byPath_.value(page.path);
    if (!n || !n->fetching) return;
    n->fetching = false;
    --pending_;
    if (!page.error.isEmpty()) {
        n->total = qint64(n->children.size());
        emit loadError(page.error);
        return;
    }
    n->total = page.total;
    if (page.start != qint64(n->children.size()) || page.nodes.isEmpty()) return;
    const int first = int(n->children.size());
    beginInsertRows(indexOfNode(n), first, first + int(page.nodes.size()) - 1);
    for (const NodeInfo& info : page.nodes) {
        auto child = std::make_unique<Node>();
        child->info = info;
        child->parent = n;
        child->row = int(n->children.size());
        byPath_.insert(info.path, child.get());
        n->children.push_back(std::move(child));
    }
    endInsertRows();
}

void H5TreeModel::updateNode(const NodeInfo& info) {
    Node* n = byPath_.value(info.path);
    if (!n || !info.error.isEmpty()) return;
    const NodeInfo old = n->info;
    n->info = info;
    n->info.name = old.name;
    n->info.link = old.link;
    n->info.linkTarget = old.linkTarget;
    emit dataChanged(indexOfNode(n, 0), indexOfNode(n, ColumnCount - 1));
}

QVariant H5TreeModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid()) return {};
    const NodeInfo& n = nodeOf(index)->info;
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case NameColumn: return n.name;
        case KindColumn: return kindText(n);
        case ShapeColumn: return shapeText(n);
        case TypeColumn: return n.dtype;
        case SizeColumn: return h5format::formatBytes(n.storageBytes);
        default: return {};
        }
    }
    if (role == Qt::ToolTipRole) {
        if (!n.error.isEmpty()) return n.error;
        return index.column() == TypeColumn ? n.dtype : n.path;
    }
    if (role == Qt::DecorationRole && index.column() == NameColumn) {
        QStyle* style = QApplication::style();
        if (!style) return {};
        switch (n.kind) {
        case NodeKind::Group: return style->standardIcon(QStyle::SP_DirIcon);
        case NodeKind::Dataset:
            return style->standardIcon(n.link == LinkKind::Hard ? QStyle::SP_FileIcon : QStyle::SP_FileLinkIcon);
        case NodeKind::Dangling: return style->standardIcon(QStyle::SP_MessageBoxWarning);
        default: return style->standardIcon(QStyle::SP_FileDialogInfoView);
        }
    }
    return {};
}

QVariant H5TreeModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    static const char* names[] = {"Name", "Kind", "Shape", "Type", "Size"};
    return section >= 0 && section < ColumnCount ? QString::fromLatin1(names[section]) : QVariant();
}

}  // namespace acquila::ui::browser
