#include "ui/browser/PreviewWidget.h"
#include <qcustomplot.h>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSlider>
#include <QStackedWidget>
#include <QTableWidget>
#include <QVBoxLayout>

namespace acquila::ui::browser {

PreviewWidget::PreviewWidget(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    info_ = new QLabel(this);
    info_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(info_);
    sliderBox_ = new QWidget(this);
    sliderLayout_ = new QHBoxLayout(sliderBox_);
    sliderLayout_->setContentsMargins(0, 0, 0, 0);
    sliderBox_->hide();
    layout->addWidget(sliderBox_);
    stack_ = new QStackedWidget(this);
    layout->addWidget(stack_, 1);

    line_ = new QCustomPlot(stack_);
    line_->addGraph();
    line_->graph(0)->setPen(QPen(QColor(31, 119, 180), 1.2));
    line_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    stack_->addWidget(line_);

    image_ = new QCustomPlot(stack_);
    image_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    colorMap_ = new QCPColorMap(image_->xAxis, image_->yAxis);
    colorScale_ = new QCPColorScale(image_);
    image_->plotLayout()->addElement(0, 1, colorScale_);
    colorScale_->setType(QCPAxis::atRight);
    colorMap_->setColorScale(colorScale_);
    colorMap_->setGradient(QCPColorGradient::gpThermal);
    auto* margins = new QCPMarginGroup(image_);
    image_->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    colorScale_->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    stack_->addWidget(image_);

    table_ = new QTableWidget(stack_);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    stack_->addWidget(table_);
    text_ = new QPlainTextEdit(stack_);
    text_->setReadOnly(true);
    text_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    stack_->addWidget(text_);
    message_ = new QLabel(stack_);
    message_->setAlignment(Qt::AlignCenter);
    message_->setWordWrap(true);
    message_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    stack_->addWidget(message_);
    showMessage(tr("Select a dataset or an NXdata group to preview it."));
}

void PreviewWidget::fillTable(QTableWidget* table, const TableData& data) {
    table->clear();
    table->setColumnCount(int(data.columns.size()));
    table->setRowCount(int(data.rows.size()) + (data.truncated ? 1 : 0));
    table->setHorizontalHeaderLabels(data.columns);
    QStringList rowLabels;  // 0-based like the dataset indices and the column headers
    for (int r = 0; r < table->rowCount(); ++r) rowLabels << QString::number(r);
    table->setVerticalHeaderLabels(rowLabels);
    for (int r = 0; r < data.rows.size(); ++r)
        for (int c = 0; c < data.rows[r].size() && c < data.columns.size(); ++c)
            table->setItem(r, c, new QTableWidgetItem(data.rows[r][c]));
    if (data.truncated) table->setItem(int(data.rows.size()), 0, new QTableWidgetItem(tr("… (more rows not shown)")));
    table->resizeColumnsToContents();
}

void PreviewWidget::showMessage(const QString& text) {
    current_ = PreviewData();
    current_.kind = PreviewKind::Message;
    current_.message = text;
    message_->setText(text);
    info_->clear();
    sliderBox_->hide();
    stack_->setCurrentWidget(message_);
}

QVector<qint64> PreviewWidget::sliceIndex() const {
    QVector<qint64> out;
    for (QSlider* s : sliders_) out << s->value();
    return out;
}

void PreviewWidget::rebuildSliders(const PreviewData& data) {
    const int extra = data.kind == PreviewKind::Image ? int(data.shape.size()) - 2 : 0;
    const QVector<qint64> leading = extra > 0 ? data.shape.mid(0, extra) : QVector<qint64>();
    if (data.path == sliderPath_ && leading == sliderShape_) {
        for (int i = 0; i < sliders_.size() && i < data.sliceIndex.size(); ++i) {
            QSignalBlocker block(sliders_[i]);
            sliders_[i]->setValue(int(data.sliceIndex[i]));
        }
        sliderBox_->setVisible(extra > 0);
        return;
    }
    sliderPath_ = data.path;
    sliderShape_ = leading;
    while (QLayoutItem* item = sliderLayout_->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    sliders_.clear();
    for (int d = 0; d < extra; ++d) {
        auto* label = new QLabel(sliderBox_);
        auto* slider = new QSlider(Qt::Horizontal, sliderBox_);
        slider->setRange(0, int(leading[d] - 1));
        slider->setValue(d < data.sliceIndex.size() ? int(data.sliceIndex[d]) : 0);
        auto update = [label, slider, d, n = leading[d]] {
            label->setText(tr("dim %1: %2 / %3").arg(d).arg(slider->value()).arg(n - 1));
        };
        update();
        connect(slider, &QSlider::valueChanged, this, [this, update] {
            update();
            emit sliceChanged(sliceIndex());
        });
        sliderLayout_->addWidget(label);
        sliderLayout_->addWidget(slider, 1);
        sliders_ << slider;
    }
    sliderBox_->setVisible(extra > 0);
}

void PreviewWidget::showPreview(const PreviewData& data) {
    current_ = data;
    QStringList shape;
    for (qint64 d : data.shape) shape << QString::number(d);
    QString info = data.path;
    if (!shape.isEmpty()) info += QStringLiteral("   shape %1").arg(shape.join(QStringLiteral(" × ")));
    if (data.decimated) info += tr("   (min/max per pixel column)");
    if (data.sampled) info += tr("   (sampled: not every value is shown)");
    info_->setText(info);
    rebuildSliders(data);
    switch (data.kind) {
    case PreviewKind::Line: {
        line_->graph(0)->setData(data.x, data.y, true);
        line_->xAxis->setLabel(data.xLabel);
        line_->yAxis->setLabel(data.yLabel);
        line_->rescaleAxes();
        line_->replot();
        stack_->setCurrentWidget(line_);
        break;
    }
    case PreviewKind::Image: {
        colorMap_->data()->setSize(data.imageCols, data.imageRows);
        colorMap_->data()->setRange(QCPRange(data.xMin, data.xMax), QCPRange(data.yMin, data.yMax));
        for (int r = 0; r < data.imageRows; ++r)
            for (int c = 0; c < data.imageCols; ++c)
                colorMap_->data()->setCell(c, r, data.image[qsizetype(r) * data.imageCols + c]);
        colorMap_->rescaleDataRange(true);
        colorScale_->axis()->setLabel(data.valueLabel);
        image_->xAxis->setLabel(data.xLabel);
        image_->yAxis->setLabel(data.yLabel);
        image_->rescaleAxes();
        image_->replot();
        stack_->setCurrentWidget(image_);
        break;
    }
    case PreviewKind::Table:
        fillTable(table_, data.table);
        stack_->setCurrentWidget(table_);
        break;
    case PreviewKind::Text:
        text_->setPlainText(data.text);
        stack_->setCurrentWidget(text_);
        break;
    case PreviewKind::Message:
    case PreviewKind::None:
        message_->setText(data.message);
        stack_->setCurrentWidget(message_);
        break;
    }
}

}  // namespace acquila::ui::browser
