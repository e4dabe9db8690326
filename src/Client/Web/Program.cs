using NodeDb.Orleans.Client.Web.Hosting;

// nodedb-web: the dashboard and HTTP API, a separate process that talks to the cluster only through IClusterClient.
var app = WebApp.Build(args);
await app.RunAsync();
