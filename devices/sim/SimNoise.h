#pragma once
#include <QString>
#include <cmath>
#include <cstdint>

namespace acquila::devices {

/**
 * Counter-based random numbers for the simulated lab. Every value is a pure
 * function of (lab seed, device name hash, point index, stream), so any worker
 * measuring point i produces bit-identical data (docs/architecture.md, "Plans, points and jobs"). Any thread.
 */
struct SimNoise {
    /** splitmix64's finaliser: a bijective, well-mixing 64-bit hash. */
    static constexpr uint64_t mix(uint64_t x) {
        x += 0x9E3779B97F4A7C15ull;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
        return x ^ (x >> 31);
    }

    /** FNV-1a over the UTF-16 code units: stable across processes, unlike qHash. */
    static uint64_t nameHash(const QString& name) {
        uint64_t h = 0xCBF29CE484222325ull;
        for (QChar c : name) {
            h ^= c.unicode();
            h *= 0x100000001B3ull;
        }
        return h;
    }

    /** The key of one point of one device; `stream` separates independent draws. */
    static constexpr uint64_t key(uint64_t seed, uint64_t nameHash, int64_t index,
                                  uint64_t stream = 0) {
        return mix(mix(mix(seed ^ nameHash) + static_cast<uint64_t>(index)) + stream);
    }

    /** Uniform in the open interval (0, 1) from the top 53 bits. */
    static double unit(uint64_t x) { return (static_cast<double>(x >> 11) + 0.5) * 0x1.0p-53; }

    /** A standard normal deviate (Box–Muller) determined by `key`. */
    static double normal(uint64_t key) {
        const double u1 = unit(mix(key));
        const double u2 = unit(mix(key ^ 0xD1B54A32D192ED03ull));
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
    }

    /** Sequential generator for many draws per point (a camera frame); seed it with key(). */
    struct Stream {
        uint64_t state;
        uint64_t next() {
            state += 0x9E3779B97F4A7C15ull;
            uint64_t z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
            return z ^ (z >> 31);
        }
        double unit() { return SimNoise::unit(next()); }
        /**
         * Approximate standard normal without transcendental functions: the
         * sum of four 16-bit uniforms (Irwin–Hall), scaled to unit variance.
         */
        double fastNormal() {
            const uint64_t r = next();
            const double s = static_cast<double>((r & 0xFFFF) + ((r >> 16) & 0xFFFF) +
                                                 ((r >> 32) & 0xFFFF) + (r >> 48)) +
                             2.0;
            return (s / 65536.0 - 2.0) * 1.7320508075688772;
        }
        /** Poisson deviate: exact (Knuth) for small means, normal approximation above 30. */
        double poisson(double mean) {
            if (mean <= 0) return 0;
            if (mean < 30.0) {
                const double limit = std::exp(-mean);
                double p = unit();
                double k = 0;
                while (p > limit) {
                    p *= unit();
                    k += 1;
                }
                return k;
            }
            const double v = std::nearbyint(mean + std::sqrt(mean) * fastNormal());
            return v < 0 ? 0 : v;
        }
    };
};

}  // namespace acquila::devices
