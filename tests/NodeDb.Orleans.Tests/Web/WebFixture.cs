using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using NodeDb.Orleans.Client.Web.Hosting;
using NodeDb.Orleans.Tests.Processes;
using NodeDb.Orleans.Tests.Security;

namespace NodeDb.Orleans.Tests.Web;

/// <summary>
/// A real embedded silo process (the run's cluster-admin key, SQLite tenant databases) and the web app talking to it
/// through its gateway exactly as <c>nodedb-web</c> does, on a free loopback port. Tenant keys are made through the
/// web API itself. The browser (Debian's Chromium, driven by Playwright) starts on first use.
/// </summary>
public sealed class WebFixture : IAsyncLifetime
{
    public const string A = "wa";
    public const string B = "wb";

    private readonly SemaphoreSlim _browserLock = new(1, 1);
    private SiloProcess? _silo;
    private WebApplication? _app;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public Uri BaseUri { get; private set; } = null!;

    public SiloProcess Silo => _silo!;

    public string ClusterAdmin => TestKeys.ClusterAdmin;

    public string AdminA { get; private set; } = "";

    public string OperatorA { get; private set; } = "";

    public string ReaderA { get; private set; } = "";

    public string AdminB { get; private set; } = "";

    /// <summary>Where browser tests put their screenshots (a test artifact).</summary>
    public static string Screenshots => Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");

    public async ValueTask InitializeAsync()
    {
        var data = Directory.CreateTempSubdirectory("nodedb-web-").FullName;
        _silo = await SiloProcess.StartAsync("web", ["--data-dir", data, .. TestKeys.SiloArguments]);
        _app = WebApp.Build(["--urls", "http://127.0.0.1:0", "--gateway", _silo.Gateway, "--Web:LivePollInterval", "00:00:00.250"]);
        await _app.StartAsync(TestContext.Current.CancellationToken);
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUri = new Uri(address);

        AdminA = await KeyAsync(A, "ann", "admin");
        OperatorA = await KeyAsync(A, "otto", "operator");
        ReaderA = await KeyAsync(A, "rita", "reader");
        AdminB = await KeyAsync(B, "bea", "admin");
    }

    /// <summary>An HTTP client of the API presenting <paramref name="key"/> (none for null).</summary>
    public HttpClient Api(string? key)
    {
        var http = new HttpClient { BaseAddress = BaseUri };
        if (key is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return http;
    }

    /// <summary>Creates a schedule through the API with tenant <see cref="A"/>'s admin key.</summary>
    public async Task<JsonObject> CreateAsync(string ddl, string? key = null)
    {
        using var http = Api(key ?? AdminA);
        using var response = await http.PostAsJsonAsync("/api/v1/schedules", new { ddl }, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"create failed: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!.AsObject();
    }

    /// <summary>A new browser context (its own cookies) of the shared headless Chromium.</summary>
    public async Task<IBrowserContext> BrowserContextAsync()
    {
        await _browserLock.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            _playwright ??= await Playwright.CreateAsync();
            _browser ??= await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                // Debian's package: Playwright's own browser downloads cannot work here (docs/web.md, "Tests").
                ExecutablePath = Environment.GetEnvironmentVariable("NODEDB_CHROMIUM") is { Length: > 0 } c ? c : "/usr/bin/chromium",
                Headless = true,
            });
        }
        finally
        {
            _browserLock.Release();
        }

        return await _browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = BaseUri.ToString(), ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
    }

    /// <summary>Signs a new browser context in with <paramref name="key"/> through the sign-in form.</summary>
    public async Task<IPage> SignInAsync(IBrowserContext context, string key, string? tenant = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/signin");
        await page.FillAsync("#key", key);
        if (tenant is not null)
        {
            await page.FillAsync("#tenant", tenant);
        }

        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync("**/schedules");
        return page;
    }

    public static async Task ScreenshotAsync(IPage page, string name)
    {
        ArgumentNullException.ThrowIfNull(page);
        Directory.CreateDirectory(Screenshots);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, name + ".png"), FullPage = true });
    }

    private async Task<string> KeyAsync(string tenant, string principal, string role)
    {
        using var http = Api(ClusterAdmin);
        using var response = await http.PostAsJsonAsync($"/api/v1/keys?tenant={tenant}", new { principal, role }, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"key create failed: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!["key"]!.GetValue<string>();
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None);
            await _app.DisposeAsync();
        }

        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }

        _browserLock.Dispose();
    }
}
