#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Line-by-line output on stdout and stderr, each line one `write(2)` as it
/// happens, so it arrives at once even into a pipe or a file (CLI.md).
///
/// Written straight to the descriptor: going through `FileHandle` and `Data`
/// cost a dynamic cast and a conformance lookup at start-up, 1 % of `postern cert`,
/// and `FileHandle.write` stops the process when the write fails.
public enum Console {
    @Sendable public static func line(_ text: String) {
        emit(text, to: STDOUT_FILENO)
    }

    @Sendable public static func error(_ text: String) {
        emit(text, to: STDERR_FILENO)
    }

    private static func emit(_ text: String, to descriptor: Int32) {
        var line = text + "\n"
        line.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return   // stdout closed or full: the line is dropped, the program goes on
                }
                offset += written
            }
        }
    }
}
