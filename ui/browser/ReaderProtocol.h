#pragma once
#include "ui/browser/H5Values.h"
#include <QByteArray>
#include <QDataStream>
#include <QIODevice>
#include <optional>

// The pipe protocol between the browser's loader thread and its acquila-reader process
// (docs/architecture.md, "The reader process"). A frame is a 4-byte little-endian length,
// then a QDataStream body: a quint8 tag, then the tag's values.
namespace acquila::ui::browser {

// The value types on the wire (found by argument-dependent lookup).
QDataStream& operator<<(QDataStream& s, const NodeInfo& v);
QDataStream& operator>>(QDataStream& s, NodeInfo& v);
QDataStream& operator<<(QDataStream& s, const ChildrenPage& v);
QDataStream& operator>>(QDataStream& s, ChildrenPage& v);
QDataStream& operator<<(QDataStream& s, const AttributeInfo& v);
QDataStream& operator>>(QDataStream& s, AttributeInfo& v);
QDataStream& operator<<(QDataStream& s, const TableData& v);
QDataStream& operator>>(QDataStream& s, TableData& v);
QDataStream& operator<<(QDataStream& s, const ObjectDetails& v);
QDataStream& operator>>(QDataStream& s, ObjectDetails& v);
QDataStream& operator<<(QDataStream& s, const PreviewRequest& v);
QDataStream& operator>>(QDataStream& s, PreviewRequest& v);
QDataStream& operator<<(QDataStream& s, const PreviewData& v);
QDataStream& operator>>(QDataStream& s, PreviewData& v);
QDataStream& operator<<(QDataStream& s, const RunSummary& v);
QDataStream& operator>>(QDataStream& s, RunSummary& v);
QDataStream& operator<<(QDataStream& s, const OpenReply& v);
QDataStream& operator>>(QDataStream& s, OpenReply& v);
QDataStream& operator<<(QDataStream& s, const RefreshReply& v);
QDataStream& operator>>(QDataStream& s, RefreshReply& v);
QDataStream& operator<<(QDataStream& s, const ExportRequest& v);
QDataStream& operator>>(QDataStream& s, ExportRequest& v);
QDataStream& operator<<(QDataStream& s, const ExportReply& v);
QDataStream& operator>>(QDataStream& s, ExportReply& v);


namespace reader {

/** Requests (app to reader), one at a time: the next is written after the reply. */
enum class Op : quint8 { Open = 1, Children, Details, Preview, Refresh, Export };

/** What the reader writes back: any number of Progress frames, then one Reply. */
enum class Answer : quint8 { Progress = 100, Reply };

/** Bodies larger than this are a broken reader, never a reply (a preview is a few MiB). */
constexpr quint32 kMaxFrameBytes = 512u << 20;

/** A frame: length prefix and body. */
QByteArray frame(const QByteArray& body);

/**
 * Removes one whole frame from the front of `buffer` and returns its body; nothing while
 * the frame is incomplete. A length above kMaxFrameBytes sets `*error`.
 */
std::optional<QByteArray> takeFrame(QByteArray& buffer, QString* error);

/** Serialises the tag and the values into a body. */
template <typename Tag, typename... Values>
QByteArray body(Tag tag, const Values&... values) {
    QByteArray out;
    QDataStream s(&out, QIODevice::WriteOnly);
    s.setVersion(QDataStream::Qt_6_0);
    s << quint8(tag);
    if constexpr (sizeof...(values) > 0) (s << ... << values);
    return out;
}

}  // namespace reader
}  // namespace acquila::ui::browser
