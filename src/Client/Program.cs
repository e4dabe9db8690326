using NodeDb.Orleans.Client;

return await NodeDbCli.RunAsync(args);
