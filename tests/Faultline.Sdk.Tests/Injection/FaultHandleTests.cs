using System.Text.Json;
using Faultline.Sdk.Injection;
using Faultline.Sdk.Targets;

namespace Faultline.Sdk.Tests.Injection;

public sealed class FaultHandleTests
{
    [Fact]
    public void A_handle_survives_json_with_its_target_and_state()
    {
        var target = new Target("process", "4242", new Dictionary<string, string> { ["app"] = "checkout" }, new Dictionary<string, string> { ["startTime"] = "123" });
        var handle = new FaultHandle("process.pause", "fault-1", target, JsonSerializer.SerializeToElement(new { pid = 4242 }),
            DateTimeOffset.Parse("2026-11-22T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.Parse("2026-11-22T00:05:00Z", System.Globalization.CultureInfo.InvariantCulture));

        var copy = FaultHandle.FromJson(handle.ToJson());

        Assert.Equal(handle.ToJson(), copy.ToJson());
        Assert.Equal("checkout", copy.Target.Labels["app"]);
        Assert.Equal("123", copy.Target.Attribute("startTime"));
        Assert.Equal(4242, copy.State.GetProperty("pid").GetInt32());
        Assert.Equal(handle.ExpiresAt, copy.ExpiresAt);
    }

    [Fact]
    public void Null_is_not_a_handle() => Assert.Throws<JsonException>(() => FaultHandle.FromJson("null"));
}
