global using NodeDb.Orleans.Security;
