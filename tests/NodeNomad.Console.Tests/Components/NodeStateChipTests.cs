using Bunit;
using NodeNomad.Console.Components.Shared;
using NodeNomad.Console.Fleet;

namespace NodeNomad.Console.Tests.Components;

public sealed class NodeStateChipTests
{
    [Theory]
    [InlineData("up", "mud-chip-color-success")]
    [InlineData("down", "mud-chip-color-error")]
    [InlineData("suspect", "mud-chip-color-warning")]
    public async Task a_state_is_named_and_coloured(string state, string colourClass)
    {
        await using var context = ConsoleComponents.Context(new FleetState(new ManualClock()));

        var cut = context.Render<NodeStateChip>(p => p.Add(c => c.State, state));

        var chip = cut.ById("node-state");
        chip.TextContent.Trim().ShouldBe(state);
        chip.ClassList.ShouldContain(colourClass);
    }
}
