namespace NodeDb.Orleans.Security;

/// <summary>What a key may do inside its scope; each role includes the ones below it.</summary>
[GenerateSerializer, Alias("nodedb.ApiKeyRole")]
public enum ApiKeyRole
{
    /// <summary>List and show schedules, read history, preview cron expressions, read health.</summary>
    Reader = 1,

    /// <summary>Reader, plus pause, resume, trigger and backfill.</summary>
    Operator = 2,

    /// <summary>Operator, plus schedule DDL, ad-hoc SQL, key management and the audit log of its scope.</summary>
    Admin = 3,
}
