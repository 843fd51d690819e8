import java.io.File

plugins {
    alias(libs.plugins.android.application)
    alias(libs.plugins.kotlin.android)
    alias(libs.plugins.kotlin.compose)
}

// The repository root (android-demo/..): the Rust workspace and its scripts.
val repoRoot: File = rootDir.parentFile
// The Rust build cache, as the repository's scripts use it (scripts/env.sh).
val cargoTargetDir: String = System.getenv("CARGO_TARGET_DIR")
    ?: "${System.getenv("XDG_CACHE_HOME") ?: "${System.getProperty("user.home")}/.cache"}/gridbook/target"
val generatedBindings = layout.buildDirectory.dir("generated/uniffi")
val jniLibsDir = file("src/main/jniLibs")
val skipRust = providers.gradleProperty("gridbook.skipRust").map { it.toBoolean() }.getOrElse(false)

android {
    namespace = "org.gridbook.demo"
    compileSdk = 36

    defaultConfig {
        applicationId = "org.gridbook.demo"
        // 26: java.time without desugaring; JNA and LocationManagerCompat work from there.
        minSdk = 26
        targetSdk = 36
        versionCode = 1
        versionName = "0.1"
        ndk {
            // The ABIs cargo-ndk builds below.
            abiFilters += listOf("arm64-v8a", "armeabi-v7a", "x86_64")
        }
    }

    buildTypes {
        release {
            isMinifyEnabled = true
            proguardFiles(getDefaultProguardFile("proguard-android-optimize.txt"), "proguard-rules.pro")
        }
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }

    buildFeatures {
        compose = true
    }

    sourceSets {
        getByName("main") {
            // The Kotlin bindings, generated from the Rust library by generateBindings (never committed).
            java.srcDir(generatedBindings.map { it.dir("kotlin") })
        }
    }

    testOptions {
        unitTests.all { test ->
            // The JVM tests run against the host build of libgridbook_ffi and a real gridbook-server.
            test.systemProperty("jna.library.path", "$cargoTargetDir/debug")
            test.environment("GRIDBOOK_SERVER", "$cargoTargetDir/debug/gridbook-server")
            test.jvmArgs("-ea")
        }
    }
}

kotlin {
    compilerOptions {
        jvmTarget.set(org.jetbrains.kotlin.gradle.dsl.JvmTarget.JVM_17)
    }
}

// Builds the host libgridbook_ffi (debug) and gridbook-server, and generates the
// Kotlin bindings from the library (uniffi library mode) into build/generated/uniffi.
val generateBindings by tasks.registering(Exec::class) {
    group = "gridbook"
    description = "Generates the Kotlin bindings of gridbook-ffi (scripts/bindings-generate)"
    workingDir = repoRoot
    environment("CARGO_TARGET_DIR", cargoTargetDir)
    commandLine("sh", "-c", "cargo build --quiet -p gridbook-server && scripts/bindings-generate --out \"\$1\"", "sh", generatedBindings.get().asFile.path)
    inputs.dir(File(repoRoot, "bindings/src"))
    inputs.dir(File(repoRoot, "core/src"))
    inputs.file(File(repoRoot, "bindings/uniffi.toml"))
    inputs.file(File(repoRoot, "core/uniffi.toml"))
    outputs.dir(generatedBindings)
}

// Cross-compiles libgridbook_ffi.so (the workspace's `mobile` profile: LTO, stripped) for each ABI into src/main/jniLibs/<abi>/.
val cargoNdk by tasks.registering(Exec::class) {
    group = "gridbook"
    description = "Builds libgridbook_ffi.so for Android with cargo-ndk"
    workingDir = repoRoot
    environment("CARGO_TARGET_DIR", cargoTargetDir)
    commandLine(
        "cargo", "ndk",
        "-t", "arm64-v8a", "-t", "armeabi-v7a", "-t", "x86_64",
        "--platform", "26",
        "-o", jniLibsDir.path,
        "build", "--profile", "mobile", "-p", "gridbook-ffi",
    )
    inputs.dir(File(repoRoot, "bindings/src"))
    inputs.dir(File(repoRoot, "core/src"))
    outputs.dir(jniLibsDir)
}

if (!skipRust) {
    tasks.named("preBuild") { dependsOn(generateBindings, cargoNdk) }
}

dependencies {
    implementation(libs.androidx.core.ktx)
    implementation(libs.androidx.activity.compose)
    implementation(libs.androidx.lifecycle.viewmodel.compose)
    implementation(libs.androidx.lifecycle.runtime.compose)
    implementation(platform(libs.compose.bom))
    implementation(libs.compose.ui)
    implementation(libs.compose.ui.tooling.preview)
    implementation(libs.compose.material3)
    implementation(libs.kotlinx.coroutines.android)
    // uniffi's Kotlin loads libgridbook_ffi.so through JNA; the AAR carries JNA's Android natives.
    implementation("net.java.dev.jna:jna:${libs.versions.jna.get()}@aar")
    debugImplementation(libs.compose.ui.tooling)

    // JVM unit tests (src/test/java): JNA's desktop jar, JUnit 4 and kotlin.test.
    testImplementation(libs.jna)
    testImplementation(libs.junit)
    testImplementation(libs.kotlin.test.junit)
}
