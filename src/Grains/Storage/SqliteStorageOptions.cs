using Orleans.Storage;

namespace NodeDb.Orleans.Grains.Storage;

/// <summary>
/// Where and how the embedded profile keeps grain state and reminders in SQLite.
/// </summary>
/// <remarks>
/// Set either <see cref="DataDirectory"/> (the database is <c>{DataDirectory}/orleans.db</c>) or
/// <see cref="ConnectionString"/>; the connection string wins when both are set. Several silos may
/// share one file (same machine only: SQLite's WAL needs shared memory, so never put it on a network share).
/// </remarks>
public sealed class SqliteStorageOptions : IStorageProviderSerializerOptions
{
    /// <summary>The file name used under <see cref="DataDirectory"/>.</summary>
    public const string DatabaseFileName = "orleans.db";

    /// <summary>
    /// The directory holding <c>orleans.db</c>. Created if missing.
    /// <value>Defaults to <see langword="null"/>; required unless <see cref="ConnectionString"/> is set.</value>
    /// </summary>
    public string? DataDirectory { get; set; }

    /// <summary>
    /// A Microsoft.Data.Sqlite connection string, used instead of <see cref="DataDirectory"/>.
    /// <value>Defaults to <see langword="null"/>.</value>
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// How long an operation waits for another connection's (or another process's) write lock before
    /// it fails with SQLITE_BUSY.
    /// <value>Defaults to 10 seconds.</value>
    /// </summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// When <see langword="true"/>, every commit is flushed to disk (<c>synchronous=FULL</c>), so even an
    /// OS crash or power loss keeps it. When <see langword="false"/> (<c>synchronous=NORMAL</c> with WAL),
    /// a killed process loses nothing committed, but an OS crash may lose the last commits.
    /// <value>Defaults to <see langword="false"/>.</value>
    /// </summary>
    public bool FlushEveryCommit { get; set; }

    /// <summary>
    /// The serializer for grain state. Defaults to Orleans' binary format, reading rows that earlier versions wrote with
    /// the silo's <see cref="IGrainStorageSerializer"/> (JSON) as they are (<see cref="BinaryStateSerializer"/>).
    /// Unused by the reminder table.
    /// </summary>
    public IGrainStorageSerializer GrainStorageSerializer { get; set; } = null!;
}
