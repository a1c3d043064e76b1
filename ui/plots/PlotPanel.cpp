#include "ui/plots/PlotPanel.h"

#include "ui/plots/DetectorView.h"
#include "ui/plots/PlotCanvas.h"

#include <QLabel>
#include <QTimer>

namespace acquila::ui::plots {

PlotPanel::PlotPanel(QWidget* parent) : QTabWidget(parent) {
    setDocumentMode(true);
    auto* hint = new QLabel(tr("Live plots appear here when a run starts (F5)."), this);
    hint->setAlignment(Qt::AlignCenter);
    addTab(hint, tr("Plots"));
    timer_ = new QTimer(this);
    timer_->setInterval(16);
    connect(timer_, &QTimer::timeout, this, &PlotPanel::replotNow);
    timer_->start();
    // A tab that was hidden while data arrived catches up when shown.
    connect(this, &QTabWidget::currentChanged, this, [this] {
        if (auto* v = qobject_cast<DetectorView*>(currentWidget()))
            for (PlotCanvas* c : v->canvases()) c->markDirty();
    });
}

void PlotPanel::beginRun(quint64 runId, std::shared_ptr<const ScanContext> scan,
                         const std::vector<model::DeviceDescription>& devices) {
    runId_ = runId;
    scan_ = std::move(scan);
    while (count() > 0) {
        QWidget* w = widget(0);
        removeTab(0);
        w->deleteLater();
    }
    views_.clear();
    for (const QString& det : scan_->plan.detectors) {
        int rank = 0;
        for (const auto& d : devices)
            if (const auto* o = d.findOutput(det)) rank = static_cast<int>(o->shape.size());
        auto* v = new DetectorView(scan_, det, qMin(rank, 2), unitOf(devices, det), this);
        views_.push_back(v);
        addTab(v, det);
    }
    if (views_.isEmpty()) {
        auto* hint = new QLabel(tr("This plan has no detectors: nothing to plot."), this);
        hint->setAlignment(Qt::AlignCenter);
        addTab(hint, tr("Plots"));
    }
}

void PlotPanel::addBatches(const engine::BatchListPtr& batches) {
    if (!batches) return;
    for (const auto& b : *batches) {
        if (!b || b->runId != runId_) continue;
        for (DetectorView* v : views_) v->addBatch(b);
    }
    for (DetectorView* v : views_) v->flushLine();
}

DetectorView* PlotPanel::view(const QString& detector) const {
    for (DetectorView* v : views_)
        if (v->detector() == detector) return v;
    return nullptr;
}

void PlotPanel::replotNow() {
    if (auto* v = qobject_cast<DetectorView*>(currentWidget()))
        if (v->replotIfDirty() > 0) ++frames_;
}

}  // namespace acquila::ui::plots
