namespace NodeDb.Orleans.Grains.Ddl;

/// <summary>Any statement that is not schedule DDL; it runs against the tenant's database.</summary>
/// <param name="Sql">The statement's text as written, without its trailing <c>;</c>.</param>
public sealed record OtherStatement(string Sql) : SqlStatement;
