using NodeDb.Orleans.Client.Web.Api;

namespace NodeDb.Orleans.Tests.Web;

/// <summary>The HTTP status of the error codes a bulk create reports.</summary>
public sealed class ProblemStatusTests
{
    [Fact]
    public void A_write_whose_outcome_is_unknown_is_a_503_not_the_callers_mistake()
    {
        Assert.Equal(503, Problems.StatusOf(ErrorCodes.StorageFailed));
        Assert.Equal(409, Problems.StatusOf(ErrorCodes.AlreadyExists));
        Assert.Equal(400, Problems.StatusOf(ErrorCodes.InvalidCron));
    }
}
