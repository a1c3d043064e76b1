#include "ui/plots/PlotCanvas.h"

#include <QContextMenuEvent>
#include <QFileDialog>
#include <QMenu>
#include <QMessageBox>

namespace acquila::ui::plots {

PlotCanvas::PlotCanvas(QWidget* parent) : QCustomPlot(parent) {
    setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    setNoAntialiasingOnDrag(true);
    const QPen cross(QColor(120, 120, 120, 160), 0, Qt::DashLine);
    vLine_ = new QCPItemStraightLine(this);
    hLine_ = new QCPItemStraightLine(this);
    for (auto* l : {vLine_, hLine_}) {
        l->setPen(cross);
        l->setVisible(false);
        l->setSelectable(false);
    }
    readout_ = new QCPItemText(this);
    readout_->setPositionAlignment(Qt::AlignTop | Qt::AlignRight);
    readout_->position->setType(QCPItemPosition::ptAxisRectRatio);
    readout_->position->setCoords(0.99, 0.01);
    readout_->setPadding(QMargins(4, 2, 4, 2));
    readout_->setBrush(QColor(255, 255, 255, 210));
    readout_->setVisible(false);
    // Dragging or zooming means the user wants this view: keep it.
    connect(this, &QCustomPlot::mouseWheel, this, [this] { setRangeLocked(true); });
    connect(this, &QCustomPlot::mouseDoubleClick, this, [this] {
        setRangeLocked(false);
        markDirty();
        replotIfDirty();
    });
}

bool PlotCanvas::replotIfDirty() {
    if (!dirty_) return false;
    dirty_ = false;
    if (!locked_) autoRange();
    replot(QCustomPlot::rpQueuedReplot);
    return true;
}

void PlotCanvas::autoRange() { rescaleAxes(); }

void PlotCanvas::setRangeLocked(bool locked) {
    locked_ = locked;
    if (!locked) markDirty();
}

bool PlotCanvas::exportTo(const QString& path, QString* error) {
    const bool pdf = path.endsWith(QLatin1String(".pdf"), Qt::CaseInsensitive);
    const bool ok = pdf ? savePdf(path) : savePng(path);
    if (!ok && error) *error = QStringLiteral("Could not write %1 (check the folder exists and is writable).").arg(path);
    return ok;
}

QString PlotCanvas::readout() const { return readout_->visible() ? readout_->text() : QString(); }

QString PlotCanvas::valueAt(double, double) const { return {}; }

void PlotCanvas::mouseMoveEvent(QMouseEvent* event) {
    QCustomPlot::mouseMoveEvent(event);
    if ((event->buttons() & Qt::LeftButton) && interactions().testFlag(QCP::iRangeDrag)) locked_ = true;
    QCPAxisRect* rect = axisRect();
    if (!rect || !rect->rect().contains(event->pos())) {
        leaveEvent(event);
        return;
    }
    const double x = xAxis->pixelToCoord(event->pos().x());
    const double y = yAxis->pixelToCoord(event->pos().y());
    vLine_->point1->setCoords(x, 0);
    vLine_->point2->setCoords(x, 1);
    hLine_->point1->setCoords(0, y);
    hLine_->point2->setCoords(1, y);
    QString text = QStringLiteral("x = %1   y = %2").arg(x, 0, 'g', 6).arg(y, 0, 'g', 6);
    const QString v = valueAt(x, y);
    if (!v.isEmpty()) text += QStringLiteral("   ") + v;
    readout_->setText(text);
    for (QCPAbstractItem* i : {static_cast<QCPAbstractItem*>(vLine_), static_cast<QCPAbstractItem*>(hLine_),
                               static_cast<QCPAbstractItem*>(readout_)})
        i->setVisible(true);
    replot(QCustomPlot::rpQueuedReplot);
}

void PlotCanvas::leaveEvent(QEvent* event) {
    QCustomPlot::leaveEvent(event);
    if (!readout_->visible()) return;
    vLine_->setVisible(false);
    hLine_->setVisible(false);
    readout_->setVisible(false);
    replot(QCustomPlot::rpQueuedReplot);
}

void PlotCanvas::contextMenuEvent(QContextMenuEvent* event) {
    QMenu menu(this);
    QAction* lock = menu.addAction(tr("Lock range"));
    lock->setCheckable(true);
    lock->setChecked(locked_);
    connect(lock, &QAction::toggled, this, [this](bool on) {
        setRangeLocked(on);
        replotIfDirty();
    });
    menu.addAction(tr("Export as PNG or PDF…"), this, &PlotCanvas::exportInteractive);
    menu.exec(event->globalPos());
}

void PlotCanvas::exportInteractive() {
    const QString path = QFileDialog::getSaveFileName(this, tr("Export plot"), QString(),
                                                      tr("PNG image (*.png);;PDF document (*.pdf)"));
    if (path.isEmpty()) return;
    QString error;
    if (!exportTo(path, &error)) QMessageBox::warning(this, tr("Export failed"), error);
}

}  // namespace acquila::ui::plots
