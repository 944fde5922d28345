using System.Text.RegularExpressions;
using Microsoft.Playwright;
using NodeNomad.Contracts;
using static Microsoft.Playwright.Assertions;

namespace NodeNomad.Console.Tests.EndToEnd;

/// <summary>An operator drains a node from the console in Chromium, watches it empty, and brings it back, against four real nodes.</summary>
public sealed partial class NodesInTheBrowser(MigrationsBrowserCluster fleet) : IClassFixture<MigrationsBrowserCluster>
{
    // A drain hands over leaderships and then moves replicas, one placement round (3 s) after another.
    private static readonly LocatorAssertionsToHaveAttributeOptions MoveTime = new() { Timeout = 90_000 };
    private static readonly LocatorAssertionsToContainTextOptions Shown = new() { Timeout = 20_000 };
    private static readonly LocatorAssertionsToHaveAttributeOptions Soon = new() { Timeout = 20_000 };
    private static readonly LocatorAssertionsToHaveCountOptions Closed = new() { Timeout = 20_000 };
    private static readonly LocatorAssertionsToBeEnabledOptions Enabled = new() { Timeout = 20_000 };
    private static readonly LocatorAssertionsToBeDisabledOptions Disabled = new() { Timeout = 20_000 };

    [Fact(Timeout = 180_000)]
    public async Task a_node_drained_from_the_nodes_page_empties_and_comes_back_when_undrained()
    {
        var cancellation = TestContext.Current.CancellationToken;
        // The node holding the most: the drain has leaderships and replicas to move.
        var members = await fleet.Api.GetNodesAsync(cancellation);
        var drained = members.OrderByDescending(n => n.Replicas.Count + n.Leaderships.Count).ThenBy(n => n.Id, StringComparer.Ordinal).First();
        drained.Replicas.ShouldNotBeEmpty();
        var id = drained.Id;
        var page = await fleet.SignedInPageAsync();
        await page.ClickAsync("a[href='/nodes']");
        var row = page.Locator($"[data-testid='node-row'][data-node='{id}']");
        await Expect(row).ToHaveAttributeAsync("data-membership", NodeMemberships.Active, Soon);
        var drain = row.Locator("[data-testid='drain-node']");
        var dialog = page.Locator(".mud-dialog");
        var remove = (await row.Locator("[data-testid='remove-node']").BoundingBoxAsync())!;
        var table = (await page.Locator("[data-testid='nodes-table']").BoundingBoxAsync())!;
        (remove.X + remove.Width).ShouldBeLessThanOrEqualTo(table.X + table.Width, "every action of a row shows without scrolling the table");

        // Cancelled: nothing changes.
        await drain.ClickAsync();
        await Expect(dialog).ToContainTextAsync($"Drain {id}?", Shown);
        await Expect(dialog).ToContainTextAsync(WhatMoves(), Shown);
        await BrowserCluster.ScreenshotAsync(page, "nodes-drain-confirmation");
        await dialog.Locator("button", new() { HasText = "Cancel" }).ClickAsync();
        await Expect(dialog).ToHaveCountAsync(0, Closed);
        (await MemberAsync(id, cancellation)).Membership.ShouldBe(NodeMemberships.Active);

        // Confirmed: the node drains, what it has left shown while it does, until it holds nothing.
        await drain.ClickAsync();
        await dialog.Locator("button", new() { HasText = $"Drain {id}" }).ClickAsync();
        await Expect(page.Locator("[data-testid='membership-answer']")).ToContainTextAsync($"{id} is draining", Shown);
        await Expect(page.Locator($"[data-testid='drain-row'][data-node='{id}'] [data-testid='drain-progress']")).ToContainTextAsync(new Regex($"{Regex.Escape(id)} is draining: .*left"), Shown);
        await BrowserCluster.ScreenshotAsync(page, "nodes-draining");
        await Expect(row).ToHaveAttributeAsync("data-membership", NodeMemberships.Drained, MoveTime);
        await Expect(row).ToHaveAttributeAsync("data-leaderships", "0", MoveTime);
        await Expect(row).ToHaveAttributeAsync("data-replicas", "0", MoveTime);
        await BrowserCluster.ScreenshotAsync(page, "nodes-drained");
        var empty = await MemberAsync(id, cancellation);
        empty.Membership.ShouldBe(NodeMemberships.Drained);
        empty.Replicas.ShouldBeEmpty();
        empty.Leaderships.ShouldBeEmpty();

        // A drained node is not drained again (the reason is its tooltip); it is removed or undrained.
        await Expect(drain).ToBeDisabledAsync(Disabled);
        (await row.Locator("[data-testid='drain-node-tip']").GetAttributeAsync("title")).ShouldBe($"{id} is already drained: undrain it to bring it back, or remove it.");
        await Expect(row.Locator("[data-testid='remove-node']")).ToBeEnabledAsync(Enabled);

        await row.Locator("[data-testid='undrain-node']").ClickAsync();
        await Expect(dialog).ToContainTextAsync($"Undrain {id}?", Shown);
        await dialog.Locator("button", new() { HasText = $"Undrain {id}" }).ClickAsync();
        await Expect(row).ToHaveAttributeAsync("data-membership", NodeMemberships.Active, MoveTime);
        await Expect(row).ToHaveAttributeAsync("data-replicas", HoldsSome(), MoveTime);
        await BrowserCluster.ScreenshotAsync(page, "nodes-undrained");
        var back = await MemberAsync(id, cancellation);
        back.Membership.ShouldBe(NodeMemberships.Active);
        back.Replicas.ShouldNotBeEmpty();
    }

    private async Task<NodeInfo> MemberAsync(string id, CancellationToken cancellation) =>
        (await fleet.Api.GetNodesAsync(cancellation)).Single(n => n.Id == id);

    [GeneratedRegex("Its \\d+ leaderships? and \\d+ replicas? move to other nodes")]
    private static partial Regex WhatMoves();

    [GeneratedRegex("^[1-9]")]
    private static partial Regex HoldsSome();
}
