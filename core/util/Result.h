#pragma once
#include <QString>
#include <optional>
#include <utility>
#include <variant>

namespace acquila::util {

/** A value or an error message. Cheap to move; any thread. */
template <typename T>
class Result {
public:
    Result(T value) : v_(std::move(value)) {}
    static Result failure(QString message) { return Result(Error{std::move(message)}); }
    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() { return std::get<0>(v_); }
    const T& value() const { return std::get<0>(v_); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() { return value(); }
    const T& operator*() const { return value(); }
    const QString& error() const { return std::get<1>(v_).message; }

private:
    struct Error { QString message; };
    explicit Result(Error e) : v_(std::move(e)) {}
    std::variant<T, Error> v_;
};

}  // namespace acquila::util
