import Foundation

/// A small file system of its own for a test's database, so that the test can fill it up or have
/// it turn read-only under the running daemon. Needs root (CI runs as root).
///
/// - ``tmpfs(sizeKiB:)``: a tmpfs of a few MiB, filled with ``fill()`` (a full disk).
/// - ``ext4(sizeMiB:)``: ext4 on a loop device mounted `errors=remount-ro`; ``forceError()`` makes
///   ext4 record an error, and the kernel turns it read-only at once, as a failing disk does. That
///   cannot be undone while mounted: ``repair()`` unmounts, runs e2fsck and mounts it again.
public final class ScratchFilesystem: @unchecked Sendable {
    public let mountPoint: String
    private let directory: TemporaryDirectory
    private let image: String?
    private var mounted = false
    private var filler: Int32 = -1

    public static var prerequisites: (ok: Bool, missing: String) {
        if getuid() != 0 { return (false, "root, to mount a file system for the database") }
        for tool in ["/usr/bin/mount", "/usr/bin/umount", "/usr/sbin/mkfs.ext4", "/usr/sbin/e2fsck"] where !FileManager.default.isExecutableFile(atPath: tool) {
            return (false, "\(tool) (Debian packages mount, e2fsprogs)")
        }
        return (true, "")
    }

    private init(image: String?) throws {
        let directory = try TemporaryDirectory(prefix: "loyaltyd-fs")
        self.directory = directory
        mountPoint = directory.file("mnt")
        self.image = image.map { directory.file($0) }
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: false)
    }

    /// A tmpfs of `sizeKiB`.
    public static func tmpfs(sizeKiB: Int) throws -> ScratchFilesystem {
        let filesystem = try ScratchFilesystem(image: nil)
        try filesystem.run(["/usr/bin/mount", "-t", "tmpfs", "-o", "size=\(sizeKiB)k,mode=0755", "tmpfs", filesystem.mountPoint])
        filesystem.mounted = true
        return filesystem
    }

    /// ext4 of `sizeMiB` on a loop device, mounted `errors=remount-ro`.
    public static func ext4(sizeMiB: Int) throws -> ScratchFilesystem {
        let filesystem = try ScratchFilesystem(image: "disk.img")
        let image = filesystem.image!
        try filesystem.run(["/usr/bin/truncate", "-s", "\(sizeMiB)M", image])
        try filesystem.run(["/usr/sbin/mkfs.ext4", "-q", "-F", image])
        try filesystem.mountImage()
        return filesystem
    }

    /// `name` on this file system.
    public func file(_ name: String) -> String { "\(mountPoint)/\(name)" }

    /// Writes a filler file until the file system has no space left; returns the bytes written.
    @discardableResult
    public func fill() throws -> Int {
        filler = open(file("filler"), O_WRONLY | O_CREAT, 0o600)
        guard filler >= 0 else { throw ScratchFilesystemError(description: "cannot create the filler: \(String(cString: strerror(errno)))") }
        var written = 0
        for chunk in [1 << 20, 1 << 16, 1 << 12, 512, 1] {
            let bytes = [UInt8](repeating: 0x55, count: chunk)
            while bytes.withUnsafeBytes({ write(filler, $0.baseAddress, chunk) }) == chunk { written += chunk }
        }
        return written
    }

    /// Deletes the filler: the space is back.
    public func releaseFiller() {
        if filler >= 0 { close(filler) }
        filler = -1
        unlink(file("filler"))
    }

    /// Makes ext4 record an error (`/sys/fs/ext4/DEV/trigger_fs_error`): mounted with
    /// `errors=remount-ro`, it turns read-only at once.
    public func forceError() throws {
        let device = try run(["/usr/bin/findmnt", "-n", "-o", "SOURCE", mountPoint]).trimmingCharacters(in: .whitespacesAndNewlines)
        let trigger = "/sys/fs/ext4/\((device as NSString).lastPathComponent)/trigger_fs_error"
        guard FileManager.default.fileExists(atPath: trigger) else {
            throw ScratchFilesystemError(description: "this kernel has no \(trigger)")
        }
        try "1".write(toFile: trigger, atomically: false, encoding: .utf8)
    }

    /// Unmounts, checks and repairs the image with e2fsck, and mounts it again (writable).
    public func repair() throws {
        try unmount()
        _ = try? run(["/usr/sbin/e2fsck", "-f", "-y", image!])  // exit 1: errors corrected
        try mountImage()
    }

    public func unmount() throws {
        guard mounted else { return }
        releaseFiller()
        try run(["/usr/bin/umount", mountPoint])
        mounted = false
    }

    private func mountImage() throws {
        try run(["/usr/bin/mount", "-o", "loop,errors=remount-ro", image!, mountPoint])
        mounted = true
    }

    @discardableResult
    private func run(_ arguments: [String]) throws -> String {
        try SystemCommand.run(arguments)
    }

    deinit {
        if mounted {
            releaseFiller()
            _ = try? run(["/usr/bin/umount", "-l", mountPoint])
        }
        directory.remove()
    }
}

public struct ScratchFilesystemError: Error, CustomStringConvertible {
    public var description: String
}
