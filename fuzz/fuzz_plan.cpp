// A plan file: parsed as `acquila run` does, then its point generator built and sampled.
#include "core/plan/Plan.h"
#include "core/plan/PointGenerator.h"
#include "fuzz/FuzzSupport.h"

#include <QDir>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace acquila;
    auto plan = plan::parsePlan(fuzz::bytes(data, size), QStringLiteral("fuzz.json"), QDir::tempPath());
    if (!plan) return 0;
    auto gen = plan::PointGenerator::create(*plan);
    if (!gen) return 0;
    const qint64 n = (*gen)->size();
    std::vector<double> pos(static_cast<size_t>((*gen)->axisCount()) + 1);
    std::vector<qint64> cell((*gen)->shape().size() + 1);
    for (qint64 i : {qint64(0), qint64(1), n / 2, n - 2, n - 1}) {
        if (i < 0 || i >= n) continue;
        (*gen)->positions(i, pos.data());
        (*gen)->cell(i, cell.data());
    }
    return 0;
}
