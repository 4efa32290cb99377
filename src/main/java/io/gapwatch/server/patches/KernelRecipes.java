package io.gapwatch.server.patches;

import io.gapwatch.client.BuildRecipe;
import org.springframework.stereotype.Component;

import java.util.Optional;

/** The recipe of a built kernel's release, as a lease carries it to the agent that builds it. */
@Component
public class KernelRecipes {
    private final KernelRecipeRepository recipes;
    private final PatchSeriesRepository series;
    private final PatchRepository patches;

    public KernelRecipes(KernelRecipeRepository recipes, PatchSeriesRepository series, PatchRepository patches) {
        this.recipes = recipes;
        this.series = series;
        this.patches = patches;
    }

    /** The recipe whose kernel is {@code release}, if a submitted series named it. */
    public Optional<BuildRecipe> forRelease(String release) {
        if (!KernelRecipeRepository.builtName(release)) {
            return Optional.empty();
        }
        return recipes.find(release).flatMap(source -> series.find(source.seriesId()).map(s ->
                new BuildRecipe(s.base(), patches.prefix(s.id(), source.position()), s.configFragment())));
    }
}
