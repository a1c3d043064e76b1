#pragma once
#include "ui/browser/H5Values.h"
#include <QWidget>

class QCustomPlot;
class QCPColorMap;
class QCPColorScale;
class QLabel;
class QPlainTextEdit;
class QStackedWidget;
class QTableWidget;
class QHBoxLayout;
class QSlider;

namespace acquila::ui::browser {

/**
 * Shows a PreviewData: a line plot, an image with a colour scale (with one
 * slider per extra dimension of N-D data), a table, text or a message.
 * GUI thread only; it never reads files.
 */
class PreviewWidget : public QWidget {
    Q_OBJECT
public:
    explicit PreviewWidget(QWidget* parent = nullptr);

    void showPreview(const PreviewData& data);
    void showMessage(const QString& text);
    /** The preview on display (kind None when nothing is shown). */
    const PreviewData& current() const { return current_; }
    /** The leading-dimension indices chosen with the sliders. */
    QVector<qint64> sliceIndex() const;

    /** Fills a table widget from TableData (shared with the values tab). */
    static void fillTable(QTableWidget* table, const TableData& data);

signals:
    /** The user moved a slice slider; the owner asks the loader for that slice. */
    void sliceChanged(const QVector<qint64>& sliceIndex);

private:
    void rebuildSliders(const PreviewData& data);

    PreviewData current_;
    QStackedWidget* stack_;
    QCustomPlot* line_;
    QCustomPlot* image_;
    QCPColorMap* colorMap_;
    QCPColorScale* colorScale_;
    QTableWidget* table_;
    QPlainTextEdit* text_;
    QLabel* message_;
    QLabel* info_;
    QWidget* sliderBox_;
    QHBoxLayout* sliderLayout_;
    QVector<QSlider*> sliders_;
    QVector<qint64> sliderShape_;
    QString sliderPath_;
};

}  // namespace acquila::ui::browser
