#include "ui/window/QueueDock.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace acquila::ui::window {

QueueDock::QueueDock(QWidget* parent) : QDockWidget(tr("Run queue"), parent) {
    setObjectName(QStringLiteral("queueDock"));
    auto* body = new QWidget(this);
    auto* layout = new QVBoxLayout(body);
    list_ = new QListWidget(body);
    list_->setToolTip(tr("Plans waiting to run after the current one"));
    layout->addWidget(list_);
    auto* buttons = new QHBoxLayout;
    auto* up = new QPushButton(tr("Up"), body);
    auto* down = new QPushButton(tr("Down"), body);
    auto* remove = new QPushButton(tr("Remove"), body);
    auto* next = new QPushButton(tr("Run next"), body);
    next->setToolTip(tr("Move the selected plan to the front and start it if nothing is running"));
    for (auto* b : {up, down, remove, next}) buttons->addWidget(b);
    layout->addLayout(buttons);
    continueAfterFailure_ = new QCheckBox(tr("Continue the queue after a run that did not complete"), body);
    layout->addWidget(continueAfterFailure_);
    setWidget(body);
    connect(up, &QPushButton::clicked, this, [this] { move(list_->currentRow(), list_->currentRow() - 1); });
    connect(down, &QPushButton::clicked, this, [this] { move(list_->currentRow(), list_->currentRow() + 1); });
    connect(remove, &QPushButton::clicked, this, [this] { this->remove(list_->currentRow()); });
    connect(next, &QPushButton::clicked, this, [this] {
        if (list_->currentRow() > 0) move(list_->currentRow(), 0);
        if (!plans_.empty()) emit runNextRequested();
    });
}

void QueueDock::add(const plan::Plan& plan) {
    plans_.push_back(plan);
    refresh(static_cast<int>(plans_.size()) - 1);
}

std::optional<plan::Plan> QueueDock::takeNext() {
    if (plans_.empty()) return std::nullopt;
    plan::Plan p = plans_.front();
    plans_.erase(plans_.begin());
    refresh(0);
    return p;
}

QStringList QueueDock::names() const {
    QStringList out;
    for (const auto& p : plans_) out << p.name;
    return out;
}

void QueueDock::move(int from, int to) {
    const int n = static_cast<int>(plans_.size());
    if (from < 0 || from >= n || to < 0 || to >= n || from == to) return;
    plan::Plan p = plans_[static_cast<size_t>(from)];
    plans_.erase(plans_.begin() + from);
    plans_.insert(plans_.begin() + to, p);
    refresh(to);
}

void QueueDock::remove(int index) {
    if (index < 0 || index >= static_cast<int>(plans_.size())) return;
    plans_.erase(plans_.begin() + index);
    refresh(qMin(index, static_cast<int>(plans_.size()) - 1));
}

bool QueueDock::continueAfterFailure() const { return continueAfterFailure_->isChecked(); }

void QueueDock::refresh(int select) {
    list_->clear();
    for (size_t i = 0; i < plans_.size(); ++i) {
        const auto& p = plans_[i];
        list_->addItem(QStringLiteral("%1. %2%3").arg(i + 1).arg(p.name, p.title.isEmpty() ? QString() : QStringLiteral(" — ") + p.title));
    }
    if (select >= 0 && select < list_->count()) list_->setCurrentRow(select);
    emit changed();
}

}  // namespace acquila::ui::window
