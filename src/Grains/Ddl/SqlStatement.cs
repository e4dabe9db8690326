namespace NodeDb.Orleans.Grains.Ddl;

/// <summary>One statement of a script sent through the client: a schedule DDL statement or <see cref="OtherStatement"/>.</summary>
public abstract record SqlStatement;
