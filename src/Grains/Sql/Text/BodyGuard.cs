namespace NodeDb.Orleans.Grains.Sql.Text;

/// <summary>NodeDB's rule: a top-level <c>SELECT *</c> with a FROM and nothing that bounds it is refused.</summary>
/// <remarks>STUB: placeholder with the final API; replaced by the lexer-based implementation.</remarks>
public static class BodyGuard
{
    /// <summary>Returns null when the body is acceptable, else a message that names the statement and says what to add.</summary>
    public static string? Check(SqlBody body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return null;
    }
}
