#include "core/model/ResultBatch.h"
#include "core/plan/PointGenerator.h"
#include "core/storage/RunLayout.h"

#include <QJsonDocument>

namespace acquila::storage {

namespace {
QString axisUnit(const std::vector<model::DeviceDescription>& devices, const QString& name) {
    for (const auto& d : devices)
        if (const model::AxisDecl* a = d.findAxis(name)) return a->unit;
    return {};
}

/**
 * The setpoints of axis `k` along scan dimension `dim`, read from the
 * generator: for each index i along the dimension, the first point of the
 * first pass whose cell has index i there. Fails if the generator places that
 * point elsewhere, so the stored axis can never disagree with the points.
 */
util::Result<std::vector<double>> dimensionPositions(const plan::PointGenerator& gen, int k, size_t dim) {
    const std::vector<qint64> shape = gen.shape();
    qint64 stride = 1;
    for (size_t d = dim + 1; d < shape.size(); ++d) stride *= shape[d];
    std::vector<qint64> cell(shape.size());
    std::vector<double> pos(static_cast<size_t>(gen.axisCount()));
    std::vector<double> out(static_cast<size_t>(shape[dim]));
    for (qint64 i = 0; i < shape[dim]; ++i) {
        gen.cell(i * stride, cell.data());
        if (cell[dim] != i)
            return util::Result<std::vector<double>>::failure(
                QStringLiteral("point %1 lies at index %2 of scan dimension %3, expected %4").arg(i * stride).arg(cell[dim]).arg(dim).arg(i));
        gen.positions(i * stride, pos.data());
        out[static_cast<size_t>(i)] = pos[static_cast<size_t>(k)];
    }
    return out;
}

/** One RunAxis per axis of the generator, with an AxisPosition channel each; empty or the problem. */
QString addAxes(RunLayout& l, const plan::Plan& plan, const plan::PointGenerator& gen, const std::vector<model::DeviceDescription>& devices) {
    const bool gridLike = plan.type == plan::ScanType::Linear || plan.type == plan::ScanType::Grid;
    const QStringList names = gen.axisNames();
    for (int k = 0; k < names.size(); ++k) {
        RunAxis a;
        a.name = names[k];
        a.unit = axisUnit(devices, a.name);
        a.storage = gridLike ? AxisStorage::Dimension : AxisStorage::PerPoint;
        if (gridLike) {
            a.dimension = l.leadingRasterDims + k;
            auto positions = dimensionPositions(gen, k, static_cast<size_t>(a.dimension));
            if (!positions) return QStringLiteral("axis '%1': %2").arg(a.name, positions.error());
            a.positions = std::move(*positions);
        }
        l.channels.push_back({a.name, a.unit, model::DType::Float64, {}, ChannelRole::AxisPosition});
        l.axes.push_back(std::move(a));
    }
    return {};
}
}  // namespace

util::Result<RunLayout> RunLayout::forPlan(const plan::Plan& plan, const plan::PointGenerator& gen, const std::vector<model::DeviceDescription>& devices,
                                           const RunStart& start) {
    RunLayout l;
    l.title = plan.title.isEmpty() ? plan.name : plan.title;
    l.planName = plan.name;
    l.runId = start.runId;
    l.startTime = start.time;
    l.planJson = start.planJson.isEmpty() ? QString::fromUtf8(QJsonDocument(plan.toJson()).toJson(QJsonDocument::Compact)) : start.planJson;
    l.scanShape = gen.shape();
    // Repeats are the leading dimension exactly when the generator adds one.
    l.leadingRasterDims = static_cast<int>(l.scanShape.size()) - (plan.type == plan::ScanType::Grid ? static_cast<int>(plan.axes.size()) : 1);
    l.snake = plan.type == plan::ScanType::Grid && plan.snake;
    if (QString problem = addAxes(l, plan, gen, devices); !problem.isEmpty()) return util::Result<RunLayout>::failure(problem);
    l.channels.push_back({model::kTimestampChannel, QStringLiteral("s"), model::DType::Float64, {}, ChannelRole::Timestamp});
    for (const QString& out : plan.detectors) {
        const model::OutputDecl* decl = nullptr;
        for (const auto& d : devices)
            if ((decl = d.findOutput(out))) break;
        if (!decl) return util::Result<RunLayout>::failure(QStringLiteral("unknown detector output '%1'").arg(out));
        l.channels.push_back({out, decl->unit, decl->dtype, std::vector<qint64>(decl->shape.begin(), decl->shape.end()), ChannelRole::Detector});
    }
    l.devices = devices;
    return l;
}

}  // namespace acquila::storage
